package io.swimlog.membership;

/**
 * The state of a member as one member sees it. The order of precedence between updates is set by incarnation
 * numbers (see {@link MembershipCore}): a member's own ALIVE at a higher incarnation overrides everything else.
 */
public enum MemberState
{
    /** Answers probes, directly or through others. */
    ALIVE,
    /** Missed a probe; declared DEAD when its suspicion timer runs out unless it refutes first. */
    SUSPECT,
    /** Declared dead by a suspicion timer that ran out; kept for a reclaim time, then forgotten. */
    DEAD,
    /** Left gracefully; kept for a reclaim time, then forgotten. */
    LEFT;

    public boolean isDeadOrLeft()
    {
        return this == DEAD || this == LEFT;
    }
}
