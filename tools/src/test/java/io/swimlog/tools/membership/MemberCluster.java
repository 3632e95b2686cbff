package io.swimlog.tools.membership;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A cluster of {@code swimlog membership run} processes on loopback: {@code m0} starts alone on a free port and
 * the others join through it. {@link #close()} kills every process, whatever state it is in.
 */
final class MemberCluster implements AutoCloseable
{
    private static final Set<String> LIVE_EVENTS = Set.of("joined", "alive", "updated");

    private final List<MemberProcess> processes = new ArrayList<>();

    /**
     * Starts {@code size} members with the same extra arguments (timings) and waits until each sees all others.
     */
    static MemberCluster start(final String jar, final int size, final List<String> args, final long timeoutMs)
        throws IOException
    {
        final MemberCluster cluster = new MemberCluster();
        try
        {
            final MemberProcess seed = MemberProcess.start(jar, "m0", null, args);
            cluster.processes.add(seed);
            await("m0 prints its address", timeoutMs, () -> null != seed.address() || !seed.process().isAlive());
            if (null == seed.address())
            {
                throw new IllegalStateException("m0 exited: " + seed);
            }
            for (int i = 1; i < size; i++)
            {
                cluster.processes.add(MemberProcess.start(jar, "m" + i, seed.address(), args));
            }
            await("all " + size + " members see each other", timeoutMs, () -> cluster.converged(cluster.processes));
            return cluster;
        }
        catch (final RuntimeException | IOException ex)
        {
            cluster.close();
            throw ex;
        }
    }

    MemberProcess get(final int index)
    {
        return processes.get(index);
    }

    List<MemberProcess> processes()
    {
        return processes;
    }

    /**
     * Every process but {@code excluded}.
     */
    List<MemberProcess> others(final MemberProcess excluded)
    {
        final List<MemberProcess> others = new ArrayList<>(processes);
        others.remove(excluded);
        return others;
    }

    /**
     * Each of {@code observers} last reported every other of them as live (joined, alive or updated).
     */
    boolean converged(final List<MemberProcess> observers)
    {
        for (final MemberProcess observer : observers)
        {
            for (final MemberProcess other : observers)
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
     * Stops every process: SIGTERM first, so each closes its media driver and deletes the driver's directory,
     * then SIGKILL for any still running after a few seconds (and for paused ones).
     */
    public void close()
    {
        for (final MemberProcess process : processes)
        {
            process.requestStop();
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (final MemberProcess process : processes)
        {
            process.awaitExit(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime())));
            process.close();
        }
    }

    public String toString()
    {
        return processes.toString();
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
            pause(20);
        }
    }

    /**
     * Checks that {@code condition} stays false for the whole of {@code windowMs}: an observation window for a
     * thing that must not happen, not a wait for something to happen.
     */
    static void assertNeverWithin(final String what, final long windowMs, final BooleanSupplier condition)
    {
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(windowMs);
        while (System.nanoTime() - endNs < 0)
        {
            if (condition.getAsBoolean())
            {
                throw new AssertionError(what);
            }
            pause(20);
        }
    }

    private static void pause(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}
