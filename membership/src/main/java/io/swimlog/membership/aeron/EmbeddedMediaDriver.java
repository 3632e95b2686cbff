package io.swimlog.membership.aeron;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.File;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An embedded Aeron media driver with a client connected to it, set up to share a small machine: one shared
 * thread for the whole driver that backs off to parking when idle (no busy spin); a directory of its own
 * under {@code /dev/shm} (or {@code java.io.tmpdir}) that is deleted on close; a smaller counters buffer (a
 * cnc.dat of about 11 MiB instead of Aeron's 48 MiB). Directories left by crashed processes are reclaimed by
 * the next launch ({@link StaleDriverDirectories}).
 * <p>
 * Several members in one process (for example {@code swimlog dev}) share one of these, each on its own port.
 * {@link #close()} closes the client, then the driver; it is safe to call more than once.
 */
public final class EmbeddedMediaDriver implements AutoCloseable
{
    /** Aeron's defaults are 10 s; a little slack keeps a briefly stopped JVM (GC, SIGSTOP) from losing its client. */
    private static final long LIVENESS_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    /**
     * Aeron's default of 8 MiB of counter values (and four times that of counter metadata) makes a 48 MiB
     * cnc.dat; membership needs a few counters per peer, and 1 MiB holds 8,192 counters.
     */
    private static final int COUNTERS_VALUES_BUFFER_LENGTH = 1024 * 1024;
    private static final String DIRECTORY_PREFIX = "swimlog-";

    private final MediaDriver driver;
    private final Aeron aeron;

    private EmbeddedMediaDriver(final MediaDriver driver, final Aeron aeron)
    {
        this.driver = driver;
        this.aeron = aeron;
    }

    /**
     * Starts a driver in a fresh directory named after {@code label} and connects a client to it.
     * <p>
     * The driver's own errors stay in its distinct error log, as in any Aeron driver; what fails for a caller
     * reaches the caller's handler through the client (and the transport), once rather than on every retry.
     *
     * @param errorHandler for the client's errors.
     */
    public static EmbeddedMediaDriver launch(final String label, final ErrorHandler errorHandler)
    {
        return launch(label, errorHandler, driverContext -> {});
    }

    /**
     * As {@link #launch(String, ErrorHandler)}, with a last say over the driver's settings (an MTU, socket
     * buffers, or a lossy channel endpoint in a test) after ours are applied.
     */
    public static EmbeddedMediaDriver launch(
        final String label, final ErrorHandler errorHandler, final Consumer<MediaDriver.Context> configure)
    {
        return launch(label, errorHandler, configure, false);
    }

    /**
     * As {@link #launch(String, ErrorHandler, Consumer)}; with {@code clientConductorInvoked} the client runs no
     * conductor thread of its own, and its one user must call {@code aeron().conductorAgentInvoker().invoke()} in
     * its duty cycle (Aeron's {@code useConductorAgentInvoker}). Only for a client with a single user thread.
     */
    public static EmbeddedMediaDriver launch(
        final String label,
        final ErrorHandler errorHandler,
        final Consumer<MediaDriver.Context> configure,
        final boolean clientConductorInvoked)
    {
        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(freshDirectory(label))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(1)))
            .counterValuesBufferLength(COUNTERS_VALUES_BUFFER_LENGTH)
            .clientLivenessTimeoutNs(LIVENESS_TIMEOUT_NS)
            .publicationUnblockTimeoutNs(2 * LIVENESS_TIMEOUT_NS)
            .warnIfDirectoryExists(false);
        configure.accept(driverContext);
        MediaDriver driver = null;
        try
        {
            driver = MediaDriver.launchEmbedded(driverContext);
            final Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .driverTimeoutMs(TimeUnit.NANOSECONDS.toMillis(LIVENESS_TIMEOUT_NS))
                .useConductorAgentInvoker(clientConductorInvoked)
                .errorHandler(errorHandler));
            return new EmbeddedMediaDriver(driver, aeron);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    public Aeron aeron()
    {
        return aeron;
    }

    public String aeronDirectoryName()
    {
        return driver.aeronDirectoryName();
    }

    /**
     * The concluded context the driver runs with (read-only use: its settings, for tests and diagnostics).
     */
    public MediaDriver.Context driverContext()
    {
        return driver.context();
    }

    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
    }

    /**
     * A new directory under /dev/shm (or the temp dir), after deleting those that crashed processes left there;
     * for any embedded driver of the project (a broker node's too), so that one kill -9 does not hold its log
     * buffers' memory until reboot.
     *
     * @param label part of the directory's name, to tell drivers apart.
     * @return the directory's path, for {@link MediaDriver.Context#aeronDirectoryName(String)}.
     */
    public static String freshDirectory(final String label)
    {
        final File shm = new File("/dev/shm");
        final File parent = shm.isDirectory() && shm.canWrite() ? shm : new File(System.getProperty("java.io.tmpdir"));
        StaleDriverDirectories.reclaim(parent, DIRECTORY_PREFIX);
        final String safeLabel = label.replaceAll("[^A-Za-z0-9._-]", "_");
        return new File(parent, DIRECTORY_PREFIX + safeLabel + "-" + UUID.randomUUID()).getPath();
    }
}
