package io.swimlog.protocol.broker;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * The idle strategies broker and client threads can be given by name (a system property or a flag), so both sides
 * spell them alike.
 */
public final class IdleStrategies
{
    /** The default: spin, yield, then park for 1 us growing to 100 us. Behaves on 2 cores shared with others. */
    public static final String BACKOFF = "backoff";

    private IdleStrategies()
    {
    }

    /**
     * @param name backoff, yield, spin (busy spin with a pause hint) or noop (busy spin); the last three keep a core
     *             busy each and are for latency runs on spare cores.
     * @return a new strategy: each waiting loop needs its own, they keep state.
     * @throws IllegalArgumentException for any other name.
     */
    public static IdleStrategy newIdleStrategy(final String name)
    {
        switch (name)
        {
            case BACKOFF:
                return new BackoffIdleStrategy(
                    10, 5, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
            case "yield":
                return new YieldingIdleStrategy();
            case "spin":
                return new BusySpinIdleStrategy();
            case "noop":
                return NoOpIdleStrategy.INSTANCE;
            default:
                throw new IllegalArgumentException(
                    "unknown idle strategy '" + name + "': use backoff, yield, spin or noop");
        }
    }
}
