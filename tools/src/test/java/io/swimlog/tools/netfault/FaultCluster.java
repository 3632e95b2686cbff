package io.swimlog.tools.netfault;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Member JVMs {@code m0..m(N-1)}, one per namespace of a {@link FaultNetwork}, each bound to
 * {@code 10.77.0.(i+1):7946}; {@code m0} starts alone and the others join through it.
 * <p>
 * {@link #close()} kills every process (stopped ones too) and only then removes the namespaces, so that a
 * failed test leaves neither behind.
 */
final class FaultCluster implements AutoCloseable
{
    static final int PORT = 7946;
    private static final Set<String> LIVE_EVENTS = Set.of("joined", "alive", "updated");

    /** Builds the command that starts member {@code id} bound to {@code bind}, joining through {@code seed}. */
    interface Launcher
    {
        List<String> command(String id, String bind, String seed);
    }

    private final FaultNetwork network;
    private final List<MemberJvm> members = new ArrayList<>();

    private FaultCluster(final FaultNetwork network)
    {
        this.network = network;
    }

    /**
     * Starts {@code size} members with {@code launcher}, and waits until each one sees all the others.
     */
    static FaultCluster start(final int size, final Launcher launcher, final long timeoutMs) throws IOException
    {
        final FaultCluster cluster = new FaultCluster(FaultNetwork.create(size));
        try
        {
            final String seed = cluster.endpoint(0);
            for (int i = 0; i < size; i++)
            {
                final String id = "m" + i;
                cluster.members.add(MemberJvm.start(id, cluster.network.inNamespace(i,
                    launcher.command(id, cluster.endpoint(i), 0 == i ? null : seed))));
            }
            await("all " + size + " members see each other", timeoutMs, () ->
            {
                for (final MemberJvm member : cluster.members)
                {
                    if (!member.isAlive())
                    {
                        throw new IllegalStateException("member exited: " + member);
                    }
                }
                return cluster.converged(cluster.members);
            });
            return cluster;
        }
        catch (final RuntimeException | IOException ex)
        {
            cluster.close();
            throw ex;
        }
    }

    /**
     * A launcher of {@code swimlog membership run} with {@code args}.
     */
    static Launcher run(final List<String> args)
    {
        return (id, bind, seed) -> MemberJvm.runCommand(id, bind, seed, args);
    }

    FaultNetwork network()
    {
        return network;
    }

    MemberJvm get(final int index)
    {
        return members.get(index);
    }

    List<MemberJvm> members()
    {
        return members;
    }

    String endpoint(final int index)
    {
        return network.address(index) + ":" + PORT;
    }

    /**
     * Each of {@code observers} last reported every other of them as live (joined, alive or updated).
     */
    boolean converged(final List<MemberJvm> observers)
    {
        for (final MemberJvm observer : observers)
        {
            for (final MemberJvm other : observers)
            {
                final String last = observer.lastEventAbout(other.id());
                if (observer != other && (null == last || !LIVE_EVENTS.contains(last)))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Each of {@code observers} last reported each of {@code subjects} as dead.
     */
    static boolean allSeeDead(final List<MemberJvm> observers, final List<MemberJvm> subjects)
    {
        for (final MemberJvm observer : observers)
        {
            for (final MemberJvm subject : subjects)
            {
                if (!"dead".equals(observer.lastEventAbout(subject.id())))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Every dead event any member printed about another, as "observer: dead subject" lines (for messages).
     */
    List<String> deadEvents()
    {
        final List<String> dead = new ArrayList<>();
        for (final MemberJvm member : members)
        {
            for (final Map<String, Object> e : member.events())
            {
                if ("dead".equals(e.get("event")))
                {
                    dead.add(member.id() + ": dead " + e.get("member") + " at " + e.get("time"));
                }
            }
        }
        return dead;
    }

    public void close()
    {
        for (final MemberJvm member : members)
        {
            member.requestStop(); // all leave at once, not one after another
        }
        for (final MemberJvm member : members)
        {
            member.close();
        }
        network.close();
    }

    public String toString()
    {
        return network + " " + members;
    }

    /**
     * Polls {@code condition} until it holds; throws naming {@code what} at the deadline.
     */
    static void await(final String what, final long timeoutMs, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting until " + what);
            }
            pollPause();
        }
    }

    /**
     * Checks that {@code condition} stays false for the whole of {@code windowMs}: an observation window for a
     * thing that must not happen, not a wait for something to happen.
     */
    static void assertNeverWithin(final String what, final long windowMs, final BooleanSupplier condition)
    {
        assertNeverWithin(() -> what, windowMs, condition);
    }

    /**
     * As {@link #assertNeverWithin(String, long, BooleanSupplier)}, the message made when it fails.
     */
    static void assertNeverWithin(
        final java.util.function.Supplier<String> what, final long windowMs, final BooleanSupplier condition)
    {
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(windowMs);
        while (System.nanoTime() - endNs < 0)
        {
            if (condition.getAsBoolean())
            {
                throw new AssertionError(what.get());
            }
            pollPause();
        }
    }

    private static void pollPause()
    {
        try
        {
            Thread.sleep(20);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}
