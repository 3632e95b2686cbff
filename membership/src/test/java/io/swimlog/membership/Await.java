package io.swimlog.membership;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition until it holds or a deadline passes: the only way tests here wait for the network.
 */
public final class Await
{
    private Await()
    {
    }

    /**
     * Runs {@code step} (a duty cycle: poll transports, ...) until {@code condition} holds.
     *
     * @throws AssertionError naming {@code what} when the deadline passes first.
     */
    public static void until(
        final String what, final long timeoutMs, final Runnable step, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            step.run();
            Thread.yield();
        }
    }

    public static void until(final String what, final long timeoutMs, final BooleanSupplier condition)
    {
        until(what, timeoutMs, Await::pause, condition);
    }

    /**
     * Gives other threads the core for a moment between checks; never used as synchronisation.
     */
    static void pause()
    {
        try
        {
            Thread.sleep(5);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }
}
