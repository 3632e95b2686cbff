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

/**
 * An embedded Aeron media driver with a client connected to it, set up to share a small machine: one shared
 * thread for the whole driver that backs off to parking when idle (no busy spin), and a directory of its
 * own under {@code /dev/shm} (or {@code java.io.tmpdir}) that is deleted on close.
 * <p>
 * Several members in one process (for example {@code swimlog dev}) share one of these, each on its own port.
 * {@link #close()} closes the client, then the driver; it is safe to call more than once.
 */
public final class EmbeddedMediaDriver implements AutoCloseable
{
    /** Aeron's defaults are 10 s; a little slack keeps a briefly stopped JVM (GC, SIGSTOP) from losing its client. */
    private static final long LIVENESS_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

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
        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(freshDirectory(label))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(1)))
            .clientLivenessTimeoutNs(LIVENESS_TIMEOUT_NS)
            .publicationUnblockTimeoutNs(2 * LIVENESS_TIMEOUT_NS)
            .warnIfDirectoryExists(false);
        MediaDriver driver = null;
        try
        {
            driver = MediaDriver.launchEmbedded(driverContext);
            final Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .driverTimeoutMs(TimeUnit.NANOSECONDS.toMillis(LIVENESS_TIMEOUT_NS))
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

    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
    }

    private static String freshDirectory(final String label)
    {
        final File shm = new File("/dev/shm");
        final String parent = shm.isDirectory() && shm.canWrite() ? shm.getPath() : System.getProperty("java.io.tmpdir");
        final String safeLabel = label.replaceAll("[^A-Za-z0-9._-]", "_");
        return new File(parent, "swimlog-" + safeLabel + "-" + UUID.randomUUID()).getPath();
    }
}
