package io.swimlog.membership;

import java.util.Locale;

/**
 * What happened to a member. Its JSON name is the lower-case name ({@code joined}, {@code suspected}, ...).
 */
public enum MembershipEventType
{
    /** First seen alive, or alive again after DEAD or LEFT (a rejoin). */
    JOINED,
    /** Metadata or endpoint changed. */
    UPDATED,
    /** Missed its probes; may still refute. */
    SUSPECTED,
    /** Refuted a suspicion: alive again without having been declared dead. */
    ALIVE,
    /** Declared dead. */
    DEAD,
    /** Left gracefully. */
    LEFT;

    private final String jsonName = name().toLowerCase(Locale.ROOT);

    public String jsonName()
    {
        return jsonName;
    }
}
