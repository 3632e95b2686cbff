package io.swimlog.tools;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGTERM / SIGINT into an orderly stop of a long-running command, and its exit status into 0.
 * <p>
 * The JVM runs shutdown hooks on a signal and then exits with 128 + the signal number. The hook registered
 * here instead asks the command's thread to stop ({@link #isStopRequested()}), waits for it to finish its
 * cleanup (leave the cluster, close what it opened: {@link #stopped()}), flushes the output and halts with 0,
 * so that "stopped on request" reads as success to scripts and service managers. When the command ends by
 * itself, the hook does nothing.
 */
public final class ShutdownSignal
{
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread hook;
    private volatile int exitCode = 0;

    private ShutdownSignal(final PrintWriter out, final PrintWriter err, final long cleanupTimeoutMs)
    {
        hook = new Thread(() -> onSignal(out, err, cleanupTimeoutMs), "swimlog-shutdown");
    }

    /**
     * Registers the hook.
     *
     * @param cleanupTimeoutMs how long the command may take to stop before the process exits with status 1.
     */
    public static ShutdownSignal register(final PrintWriter out, final PrintWriter err, final long cleanupTimeoutMs)
    {
        final ShutdownSignal signal = new ShutdownSignal(out, err, cleanupTimeoutMs);
        Runtime.getRuntime().addShutdownHook(signal.hook);
        return signal;
    }

    public boolean isStopRequested()
    {
        return stopRequested.getCount() == 0;
    }

    /**
     * Waits up to {@code timeoutMs} for a stop request.
     *
     * @return true when a stop was requested.
     */
    public boolean awaitStopRequest(final long timeoutMs) throws InterruptedException
    {
        return stopRequested.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Asks the command to stop, as a signal would (for example when it fails on its own).
     */
    public void requestStop()
    {
        stopRequested.countDown();
    }

    /**
     * Called by the command once it has cleaned up, whether it stopped on request or not.
     *
     * @param exitCode the status the process exits with if a signal stopped it.
     */
    public void stopped(final int exitCode)
    {
        this.exitCode = exitCode;
        stopped.countDown();
        if (!isStopRequested())
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ignore)
            {
                // Already shutting down: the hook runs, sees stopped, and halts with exitCode.
            }
        }
    }

    private void onSignal(final PrintWriter out, final PrintWriter err, final long cleanupTimeoutMs)
    {
        stopRequested.countDown();
        boolean isClean = false;
        try
        {
            isClean = stopped.await(cleanupTimeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (!isClean)
        {
            err.println("swimlog: did not stop within " + cleanupTimeoutMs + " ms; exiting anyway.");
        }
        out.flush();
        err.flush();
        Runtime.getRuntime().halt(isClean ? exitCode : SwimlogCommand.EXIT_FAILURE);
    }
}
