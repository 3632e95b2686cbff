package io.swimlog.membership.aeron;

import io.aeron.Aeron;
import io.aeron.driver.Configuration;
import io.aeron.driver.MediaDriver;
import io.aeron.protocol.DataHeaderFlyweight;
import io.swimlog.membership.Endpoints;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;

import static io.aeron.logbuffer.FrameDescriptor.FRAME_ALIGNMENT;

/**
 * Settings of one {@link AeronTransport}, in Aeron's {@code Context} style: fluent setters, defaults from
 * system properties ({@code swimlog.membership.aeron.*}), validated once by {@link #conclude()}.
 * <p>
 * Where the Aeron client comes from, in order: {@link #aeron(Aeron)} (shared, not closed by the transport),
 * else a client connected to the external media driver in {@link #aeronDirectoryName(String)}, else an
 * embedded media driver in a directory of its own that the transport deletes on close.
 * <p>
 * On the wire a peer's publication costs Aeron's keep-alives for as long as it is open: a heartbeat every 100 ms
 * from the sender (fixed in Aeron) and a status message every status message timeout from the receiver, plus a
 * setup handshake when it opens and an end-of-stream exchange when it closes. SWIM sends each datagram to a random
 * peer, so publications are closed a few probe intervals after their last send
 * ({@link #publicationIdleTimeoutNs(long)}: not sooner, or a slow path pays a handshake per exchange), and the
 * driver settings ({@link #configureDriver(MediaDriver.Context)}) make the close quick (a 100 ms conductor timer)
 * and keep status messages frequent enough that a lost first one is soon followed by another. The driver settings
 * are driver-wide, so they apply only to the transport's own embedded driver, never to a shared client's or an
 * external driver (a broker node's driver serves the broker too).
 * <p>
 * Not thread-safe: configure on one thread, then hand it to {@link AeronTransport#launch(AeronTransportContext)}.
 */
public final class AeronTransportContext
{
    /** Stream id of membership datagrams; broker traffic uses other streams on the same port. */
    public static final int MEMBERSHIP_STREAM_ID = 10;

    public static final String MTU_LENGTH_PROP_NAME = "swimlog.membership.aeron.mtu.length";
    /** Aeron's default MTU: fits an Ethernet frame with IP and UDP headers on every path. */
    public static final int MTU_LENGTH_DEFAULT = 1408;

    public static final String TERM_LENGTH_PROP_NAME = "swimlog.membership.aeron.term.length";
    /** Aeron's minimum: a peer publication only ever holds a few small datagrams in flight. */
    public static final int TERM_LENGTH_DEFAULT = 64 * 1024;

    public static final String PUBLICATION_IDLE_TIMEOUT_PROP_NAME =
        "swimlog.membership.aeron.publication.idle.timeout.ms";
    /**
     * Three probe intervals (LAN). A message to a peer whose publication was closed waits for Aeron's setup
     * handshake, a round trip over the same path, so on a slow path (DelayIT: 200 ms +- 50 ms each way) a close
     * after 100 ms made every exchange pay two extra round trips and the slow member was suspected every few
     * seconds (twice in 16 runs declared dead); with 3 s it was never suspected, and a 1.5 s SIGSTOP was suspected
     * less often. The price is keep-alives while open (a heartbeat every 100 ms, a status message every 200 ms):
     * 61 and 119 packets per member per second at N = 5 and 20, against ~36 (flat in N) with 100 ms, which
     * {@link #PUBLICATION_IDLE_TIMEOUT_PROP_NAME} still allows where paths are known to be fast.
     */
    public static final long PUBLICATION_IDLE_TIMEOUT_MS_DEFAULT = 3000;

    public static final String PUBLICATION_LINGER_PROP_NAME = "swimlog.membership.aeron.publication.linger.ms";
    /**
     * The {@code linger} of a closed publication: long enough to repair a lost last datagram (the receiver sees
     * the gap at the next 100 ms heartbeat), short enough that a publication to a peer that never answers stops
     * sending setups soon. A live peer ends the linger earlier by acknowledging the end of stream.
     */
    public static final long PUBLICATION_LINGER_MS_DEFAULT = 500;

    public static final String STATUS_MESSAGE_TIMEOUT_PROP_NAME =
        "swimlog.membership.aeron.driver.status.message.timeout.ms";
    /**
     * Aeron's 200 ms. A longer interval would save status messages on open streams and on closed ones (a receiver
     * sends one every interval for five intervals while it drains a closed stream), but it is also the retry of a
     * lost first status message: a receiver answers only the first setup of a stream, so until the next periodic
     * status message the publication is not connected and the datagrams queued for it wait. With publications
     * opened for nearly every datagram that wait must stay short: at 2 s, 20% loss expired one queued datagram in
     * five (found by {@code PacketLossIT}).
     */
    public static final long STATUS_MESSAGE_TIMEOUT_MS_DEFAULT = 200;

    public static final String TIMER_INTERVAL_PROP_NAME = "swimlog.membership.aeron.driver.timer.interval.ms";
    /**
     * Aeron's is 1 s. The driver conductor moves a closed publication through drain and linger on this timer,
     * heartbeating it all the while, so a 1 s timer costs 10 to 20 heartbeats per closed publication.
     */
    public static final long TIMER_INTERVAL_MS_DEFAULT = 100;

    public static final String PUBLICATION_CONNECTION_TIMEOUT_PROP_NAME =
        "swimlog.membership.aeron.driver.publication.connection.timeout.ms";
    /** Aeron's: 25 status messages may be lost before a publication counts as not connected. */
    public static final long PUBLICATION_CONNECTION_TIMEOUT_MS_DEFAULT = 5_000;

    public static final String IMAGE_LIVENESS_TIMEOUT_PROP_NAME =
        "swimlog.membership.aeron.driver.image.liveness.timeout.ms";
    /** Aeron's: a hundred of its 100 ms heartbeats, more than a GC pause or a short stop of the sender. */
    public static final long IMAGE_LIVENESS_TIMEOUT_MS_DEFAULT = 10_000;

    public static final String DRIVER_ASYNC_EXECUTOR_PROP_NAME = "swimlog.membership.aeron.driver.async.executor";
    /**
     * Aeron 1.51.0 runs its driver's asynchronous tasks (name resolution) on a thread of their own that sleeps 1 ms
     * at a time; off, the driver's conductor runs them, and an idle member wakes a thousand times a second less.
     */
    public static final boolean DRIVER_ASYNC_EXECUTOR_DEFAULT = false;

    public static final String DRIVER_MAX_PARK_PROP_NAME = "swimlog.membership.aeron.driver.max.park.ms";
    /** How long the idle driver thread parks at most between duty cycles (see {@link #driverMaxParkNs(long)}). */
    public static final long DRIVER_MAX_PARK_MS_DEFAULT = 1;

    /**
     * A publication must outlive this many status message intervals without one before it counts as not
     * connected, so that a few lost status messages do not disconnect it.
     */
    public static final int MIN_STATUS_MESSAGES_PER_CONNECTION_TIMEOUT = 4;

    /** An image must outlive this many of Aeron's (fixed, 100 ms) heartbeat intervals without a packet. */
    public static final int MIN_HEARTBEATS_PER_IMAGE_LIVENESS_TIMEOUT = 10;

    /**
     * Datagrams queued for a connecting publication should outlive this many status message intervals, so that a
     * lost first status message is followed by another before they are dropped (the defaults keep five; not
     * enforced, since a test may want a short connect timeout on purpose).
     */
    public static final int MIN_STATUS_MESSAGES_PER_CONNECT_TIMEOUT = 2;

    public static final String CONNECT_TIMEOUT_PROP_NAME = "swimlog.membership.aeron.connect.timeout.ms";
    public static final long CONNECT_TIMEOUT_MS_DEFAULT = 1_000;

    public static final String PENDING_DATAGRAMS_PROP_NAME = "swimlog.membership.aeron.pending.datagrams";
    /**
     * Publications close soon after their last send, so most datagrams find their peer's publication closed and
     * wait here for a fresh one; a push-pull exchange sends its chunks back to back (about 27 at 1,000 members).
     */
    public static final int PENDING_DATAGRAMS_DEFAULT = 32;

    public static final String UNREACHABLE_RETRY_PROP_NAME = "swimlog.membership.aeron.unreachable.retry.ms";
    public static final long UNREACHABLE_RETRY_MS_DEFAULT = 1_000;

    private boolean isConcluded;
    private String bind;
    private int streamId = MEMBERSHIP_STREAM_ID;
    private Aeron aeron;
    private String aeronDirectoryName;
    private int mtuLength = Integer.getInteger(MTU_LENGTH_PROP_NAME, MTU_LENGTH_DEFAULT);
    private int termLength = Integer.getInteger(TERM_LENGTH_PROP_NAME, TERM_LENGTH_DEFAULT);
    private long publicationIdleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(PUBLICATION_IDLE_TIMEOUT_PROP_NAME, PUBLICATION_IDLE_TIMEOUT_MS_DEFAULT));
    private long connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(CONNECT_TIMEOUT_PROP_NAME, CONNECT_TIMEOUT_MS_DEFAULT));
    private int pendingDatagrams = Integer.getInteger(PENDING_DATAGRAMS_PROP_NAME, PENDING_DATAGRAMS_DEFAULT);
    private long unreachableRetryNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(UNREACHABLE_RETRY_PROP_NAME, UNREACHABLE_RETRY_MS_DEFAULT));
    private long publicationLingerNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(PUBLICATION_LINGER_PROP_NAME, PUBLICATION_LINGER_MS_DEFAULT));
    private long statusMessageTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(STATUS_MESSAGE_TIMEOUT_PROP_NAME, STATUS_MESSAGE_TIMEOUT_MS_DEFAULT));
    private long timerIntervalNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(TIMER_INTERVAL_PROP_NAME, TIMER_INTERVAL_MS_DEFAULT));
    private long publicationConnectionTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(PUBLICATION_CONNECTION_TIMEOUT_PROP_NAME, PUBLICATION_CONNECTION_TIMEOUT_MS_DEFAULT));
    private long imageLivenessTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(IMAGE_LIVENESS_TIMEOUT_PROP_NAME, IMAGE_LIVENESS_TIMEOUT_MS_DEFAULT));
    private boolean driverAsyncExecutor = Boolean.parseBoolean(
        System.getProperty(DRIVER_ASYNC_EXECUTOR_PROP_NAME, Boolean.toString(DRIVER_ASYNC_EXECUTOR_DEFAULT)));
    private long driverMaxParkNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(DRIVER_MAX_PARK_PROP_NAME, DRIVER_MAX_PARK_MS_DEFAULT));
    private ErrorHandler errorHandler;
    private NanoClock nanoClock;

    /**
     * Validates the settings and fills the defaults that depend on others. Called by the transport.
     *
     * @return this, for chaining.
     * @throws IllegalArgumentException naming the first setting that is wrong.
     */
    public AeronTransportContext conclude()
    {
        if (isConcluded)
        {
            return this;
        }
        if (null == bind)
        {
            throw new IllegalArgumentException("bind is required (host:port)");
        }
        Endpoints.requireHostPort(bind);
        if (mtuLength < 64 + DataHeaderFlyweight.HEADER_LENGTH || mtuLength > 65504 || 0 != mtuLength % FRAME_ALIGNMENT)
        {
            throw new IllegalArgumentException(
                "mtuLength must be a multiple of " + FRAME_ALIGNMENT + " between 96 and 65504: " + mtuLength);
        }
        if (termLength < 64 * 1024 || termLength > 1024 * 1024 * 1024 || Integer.bitCount(termLength) != 1)
        {
            throw new IllegalArgumentException("termLength must be a power of two from 64 KiB to 1 GiB: " + termLength);
        }
        if (publicationIdleTimeoutNs <= 0 || connectTimeoutNs <= 0 || unreachableRetryNs <= 0 ||
            statusMessageTimeoutNs <= 0 || timerIntervalNs <= 0 || driverMaxParkNs <= 0)
        {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (publicationLingerNs < 0)
        {
            throw new IllegalArgumentException("publicationLingerNs must not be negative: " + publicationLingerNs);
        }
        if (publicationConnectionTimeoutNs < MIN_STATUS_MESSAGES_PER_CONNECTION_TIMEOUT * statusMessageTimeoutNs)
        {
            throw new IllegalArgumentException("publicationConnectionTimeoutNs " + publicationConnectionTimeoutNs +
                " must be at least " + MIN_STATUS_MESSAGES_PER_CONNECTION_TIMEOUT + " x statusMessageTimeoutNs " +
                statusMessageTimeoutNs + ", or a few lost status messages disconnect a publication");
        }
        if (imageLivenessTimeoutNs <
            MIN_HEARTBEATS_PER_IMAGE_LIVENESS_TIMEOUT * Configuration.PUBLICATION_HEARTBEAT_TIMEOUT_NS)
        {
            throw new IllegalArgumentException("imageLivenessTimeoutNs " + imageLivenessTimeoutNs +
                " must be at least " + MIN_HEARTBEATS_PER_IMAGE_LIVENESS_TIMEOUT + " of Aeron's heartbeat intervals (" +
                Configuration.PUBLICATION_HEARTBEAT_TIMEOUT_NS + " ns)");
        }
        if (pendingDatagrams < 0)
        {
            throw new IllegalArgumentException("pendingDatagrams must not be negative: " + pendingDatagrams);
        }
        if (null == errorHandler)
        {
            errorHandler = Throwable::printStackTrace;
        }
        if (null == nanoClock)
        {
            nanoClock = SystemNanoClock.INSTANCE;
        }
        isConcluded = true;
        return this;
    }

    /**
     * Applies the settings that are driver-wide to the context of a driver that carries membership traffic only
     * (the transport's own embedded driver): status message timeout, timer interval, publication connection
     * timeout, image liveness timeout, its asynchronous executor, and the idle strategy of its one thread.
     *
     * @param driverContext of a driver not yet launched.
     * @return the same driver context.
     */
    public MediaDriver.Context configureDriver(final MediaDriver.Context driverContext)
    {
        return driverContext
            .statusMessageTimeoutNs(statusMessageTimeoutNs)
            .timerIntervalNs(timerIntervalNs)
            .publicationConnectionTimeoutNs(publicationConnectionTimeoutNs)
            .imageLivenessTimeoutNs(imageLivenessTimeoutNs)
            .asyncExecutorEnabled(driverAsyncExecutor)
            .sharedIdleStrategy(new BackoffIdleStrategy(
                10, 20, Math.min(TimeUnit.MICROSECONDS.toNanos(1), driverMaxParkNs), driverMaxParkNs));
    }

    /**
     * The channel parameters of every peer publication after its endpoint: term length, MTU and linger.
     */
    public String publicationChannelSuffix()
    {
        return "|term-length=" + termLength + "|mtu=" + mtuLength + "|linger=" + publicationLingerNs;
    }

    /**
     * The largest datagram that travels in one Aeron frame, so the receiver needs no reassembly.
     */
    public int maxDatagramLength()
    {
        return mtuLength - DataHeaderFlyweight.HEADER_LENGTH;
    }

    /**
     * {@code host:port} to listen on; port 0 asks the system for a free one
     * (see {@link AeronTransport#localEndpoint()}).
     */
    public AeronTransportContext bind(final String bind)
    {
        this.bind = bind;
        return this;
    }

    public String bind()
    {
        return bind;
    }

    public AeronTransportContext streamId(final int streamId)
    {
        this.streamId = streamId;
        return this;
    }

    public int streamId()
    {
        return streamId;
    }

    /**
     * A connected client to share with others (several members in one process); the transport does not close it.
     */
    public AeronTransportContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * Directory of an external media driver to connect to; ignored when {@link #aeron(Aeron)} is set.
     */
    public AeronTransportContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    public AeronTransportContext mtuLength(final int mtuLength)
    {
        this.mtuLength = mtuLength;
        return this;
    }

    public int mtuLength()
    {
        return mtuLength;
    }

    public AeronTransportContext termLength(final int termLength)
    {
        this.termLength = termLength;
        return this;
    }

    public int termLength()
    {
        return termLength;
    }

    /**
     * A peer's publication is closed after this long without a datagram sent to it.
     */
    public AeronTransportContext publicationIdleTimeoutNs(final long publicationIdleTimeoutNs)
    {
        this.publicationIdleTimeoutNs = publicationIdleTimeoutNs;
        return this;
    }

    public long publicationIdleTimeoutNs()
    {
        return publicationIdleTimeoutNs;
    }

    /**
     * How long a closed peer publication lingers in the driver (the channel's {@code linger}) to repair a lost
     * last datagram; an end-of-stream acknowledgement from the peer ends it sooner.
     */
    public AeronTransportContext publicationLingerNs(final long publicationLingerNs)
    {
        this.publicationLingerNs = publicationLingerNs;
        return this;
    }

    public long publicationLingerNs()
    {
        return publicationLingerNs;
    }

    /**
     * Driver-wide, own embedded driver only: how often a receiver sends a status message on an idle image.
     * Aeron's default is 200 ms.
     */
    public AeronTransportContext statusMessageTimeoutNs(final long statusMessageTimeoutNs)
    {
        this.statusMessageTimeoutNs = statusMessageTimeoutNs;
        return this;
    }

    public long statusMessageTimeoutNs()
    {
        return statusMessageTimeoutNs;
    }

    /**
     * Driver-wide, own embedded driver only: the driver conductor's timer, which retires closed publications and
     * images. Aeron's default is 1 s.
     */
    public AeronTransportContext timerIntervalNs(final long timerIntervalNs)
    {
        this.timerIntervalNs = timerIntervalNs;
        return this;
    }

    public long timerIntervalNs()
    {
        return timerIntervalNs;
    }

    /**
     * Driver-wide, own embedded driver only: a publication without a status message for this long is not
     * connected. At least {@link #MIN_STATUS_MESSAGES_PER_CONNECTION_TIMEOUT} status message timeouts.
     */
    public AeronTransportContext publicationConnectionTimeoutNs(final long publicationConnectionTimeoutNs)
    {
        this.publicationConnectionTimeoutNs = publicationConnectionTimeoutNs;
        return this;
    }

    public long publicationConnectionTimeoutNs()
    {
        return publicationConnectionTimeoutNs;
    }

    /**
     * Driver-wide, own embedded driver only: an image without a packet (data or heartbeat) for this long is
     * gone. At least {@link #MIN_HEARTBEATS_PER_IMAGE_LIVENESS_TIMEOUT} of Aeron's 100 ms heartbeat intervals.
     */
    public AeronTransportContext imageLivenessTimeoutNs(final long imageLivenessTimeoutNs)
    {
        this.imageLivenessTimeoutNs = imageLivenessTimeoutNs;
        return this;
    }

    public long imageLivenessTimeoutNs()
    {
        return imageLivenessTimeoutNs;
    }

    /**
     * Own embedded driver only: whether the driver runs its asynchronous tasks (name resolution of peer host names)
     * on a thread of its own. Off by default: the driver's conductor resolves them itself, which costs nothing for
     * IP addresses and blocks the driver for a lookup of a host name that the JVM has not cached (30 s by default).
     */
    public AeronTransportContext driverAsyncExecutor(final boolean driverAsyncExecutor)
    {
        this.driverAsyncExecutor = driverAsyncExecutor;
        return this;
    }

    public boolean driverAsyncExecutor()
    {
        return driverAsyncExecutor;
    }

    /**
     * Own embedded driver only: the longest park of its one thread when idle (it backs off from spinning to
     * yielding to parking). Longer parks cost fewer wake-ups of an idle member and add up to this much latency to
     * each packet the driver handles after a quiet moment.
     */
    public AeronTransportContext driverMaxParkNs(final long driverMaxParkNs)
    {
        this.driverMaxParkNs = driverMaxParkNs;
        return this;
    }

    public long driverMaxParkNs()
    {
        return driverMaxParkNs;
    }

    /**
     * How long datagrams to a new peer wait for its publication to connect before they are dropped.
     */
    public AeronTransportContext connectTimeoutNs(final long connectTimeoutNs)
    {
        this.connectTimeoutNs = connectTimeoutNs;
        return this;
    }

    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /**
     * How many datagrams per peer may wait for its publication to connect; 0 drops them at once.
     */
    public AeronTransportContext pendingDatagrams(final int pendingDatagrams)
    {
        this.pendingDatagrams = pendingDatagrams;
        return this;
    }

    public int pendingDatagrams()
    {
        return pendingDatagrams;
    }

    /**
     * After the driver refuses a peer's publication (unknown host), sends to it fail at once for this long.
     */
    public AeronTransportContext unreachableRetryNs(final long unreachableRetryNs)
    {
        this.unreachableRetryNs = unreachableRetryNs;
        return this;
    }

    public long unreachableRetryNs()
    {
        return unreachableRetryNs;
    }

    public AeronTransportContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    public AeronTransportContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    public String toString()
    {
        return "AeronTransportContext{bind=" + bind + ", streamId=" + streamId + ", aeronDirectoryName=" +
            aeronDirectoryName + ", mtuLength=" + mtuLength + ", termLength=" + termLength +
            ", publicationIdleTimeoutNs=" + publicationIdleTimeoutNs + ", connectTimeoutNs=" + connectTimeoutNs +
            ", pendingDatagrams=" + pendingDatagrams + ", unreachableRetryNs=" + unreachableRetryNs +
            ", publicationLingerNs=" + publicationLingerNs + ", statusMessageTimeoutNs=" + statusMessageTimeoutNs +
            ", timerIntervalNs=" + timerIntervalNs + ", publicationConnectionTimeoutNs=" +
            publicationConnectionTimeoutNs + ", imageLivenessTimeoutNs=" + imageLivenessTimeoutNs +
            ", driverAsyncExecutor=" + driverAsyncExecutor + ", driverMaxParkNs=" + driverMaxParkNs + '}';
    }
}
