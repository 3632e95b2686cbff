package io.swimlog.membership.aeron;

import io.aeron.Aeron;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.ErrorHandler;
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
    public static final long PUBLICATION_IDLE_TIMEOUT_MS_DEFAULT = 10_000;

    public static final String CONNECT_TIMEOUT_PROP_NAME = "swimlog.membership.aeron.connect.timeout.ms";
    public static final long CONNECT_TIMEOUT_MS_DEFAULT = 1_000;

    public static final String PENDING_DATAGRAMS_PROP_NAME = "swimlog.membership.aeron.pending.datagrams";
    public static final int PENDING_DATAGRAMS_DEFAULT = 8;

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
        if (publicationIdleTimeoutNs <= 0 || connectTimeoutNs <= 0 || unreachableRetryNs <= 0)
        {
            throw new IllegalArgumentException("timeouts must be positive");
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
            ", pendingDatagrams=" + pendingDatagrams + ", unreachableRetryNs=" + unreachableRetryNs + '}';
    }
}
