package io.swimlog.broker;

import io.aeron.Aeron;
import io.swimlog.protocol.broker.IdleStrategies;
import io.swimlog.storage.FlushPolicy;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.File;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Configuration of a broker node, in the manner of Aeron's contexts: fluent setters, defaults from system
 * properties ({@code swimlog.broker.*}), validated once by {@link #conclude()}, which also fills derived values.
 * <p>
 * Not thread safe; a context belongs to the node it starts and must not be changed after {@link #conclude()}.
 */
public final class BrokerContext
{
    public static final String NODE_ID_PROP = "swimlog.broker.node.id";
    public static final String BIND_PROP = "swimlog.broker.bind";
    public static final String DATA_DIR_PROP = "swimlog.broker.data.dir";
    public static final String MTU_PROP = "swimlog.broker.mtu";
    public static final String TERM_LENGTH_PROP = "swimlog.broker.term.length";
    public static final String SESSION_TIMEOUT_MS_PROP = "swimlog.broker.session.timeout.ms";
    public static final String MAX_FETCH_WAIT_MS_PROP = "swimlog.broker.max.fetch.wait.ms";
    public static final String FLUSH_POLICY_PROP = "swimlog.broker.flush.policy";
    public static final String SEGMENT_BYTES_PROP = "swimlog.broker.segment.bytes";
    public static final String MAX_SESSIONS_PROP = "swimlog.broker.max.sessions";
    /**
     * The conductor's idle strategy when none is set, by {@link IdleStrategies} name (default backoff).
     */
    public static final String IDLE_STRATEGY_PROP = "swimlog.broker.idle.strategy";
    /** {@link BrokerThreadingMode} by name: dedicated (the default) or shared. */
    public static final String THREADING_MODE_PROP = "swimlog.broker.threading.mode";

    public static final String DEFAULT_BIND = "127.0.0.1:7000";

    /**
     * Aeron's largest MTU: on loopback a large MTU is the throughput lever (DESIGN.md); elsewhere pick what the
     * path carries (1408 without jumbo frames).
     */
    public static final int LOOPBACK_MTU = 65504;
    public static final int DEFAULT_MTU = 8192;

    /**
     * Term length of response publications: the largest message is a term / 8, so 16 MiB terms carry 2 MiB
     * fetch responses and requests.
     */
    public static final int DEFAULT_TERM_LENGTH = 16 * 1024 * 1024;
    public static final long DEFAULT_SESSION_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_MAX_FETCH_WAIT_MS = 30_000;

    private String nodeId = System.getProperty(NODE_ID_PROP);
    private String bind = System.getProperty(BIND_PROP, DEFAULT_BIND);
    private File dataDir = null != System.getProperty(DATA_DIR_PROP) ? new File(System.getProperty(DATA_DIR_PROP)) : null;
    private int mtu = Integer.getInteger(MTU_PROP, 0);
    private int termLength = Integer.getInteger(TERM_LENGTH_PROP, DEFAULT_TERM_LENGTH);
    private long sessionTimeoutMs = Long.getLong(SESSION_TIMEOUT_MS_PROP, DEFAULT_SESSION_TIMEOUT_MS);
    private long maxFetchWaitMs = Long.getLong(MAX_FETCH_WAIT_MS_PROP, DEFAULT_MAX_FETCH_WAIT_MS);
    private FlushPolicy flushPolicy = FlushPolicy.valueOf(System.getProperty(FLUSH_POLICY_PROP, "NEVER"));
    private int segmentBytes = Integer.getInteger(SEGMENT_BYTES_PROP, 256 * 1024 * 1024);
    private int maxSessions = Integer.getInteger(MAX_SESSIONS_PROP, 4096);
    private Long retentionBytes;
    private Long retentionMs;
    private List<String> seeds = List.of();
    private boolean membershipEnabled = true;
    private String aeronDirectoryName;
    private Aeron aeron;
    private BrokerThreadingMode threadingMode;
    private IdleStrategy idleStrategy;
    private String idleStrategyName = System.getProperty(IDLE_STRATEGY_PROP, IdleStrategies.BACKOFF);
    private ErrorHandler errorHandler;
    private EpochClock epochClock;
    private NanoClock nanoClock;
    private MetadataStore metadataStore;

    private int maxMessageLength;
    private int maxBatchBytes;
    private InetSocketAddress bindAddress;
    private boolean concluded;

    /**
     * Validate and fill derived values.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad setting, in one sentence.
     */
    public BrokerContext conclude()
    {
        if (concluded)
        {
            return this;
        }

        if (null == threadingMode)
        {
            final String name = System.getProperty(THREADING_MODE_PROP, "dedicated");
            try
            {
                threadingMode = BrokerThreadingMode.valueOf(name.toUpperCase(Locale.ROOT));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(
                    THREADING_MODE_PROP + " must be dedicated or shared, not '" + name + "'", ex);
            }
        }
        if (BrokerThreadingMode.SHARED == threadingMode && (null != aeron || null != aeronDirectoryName))
        {
            throw new IllegalArgumentException("shared threading runs the embedded media driver on the broker's " +
                "thread, so it cannot be used with an external driver (aeron.dir) or a given Aeron client");
        }
        bindAddress = parseHostPort(bind);
        if (null == nodeId)
        {
            nodeId = "broker-" + UUID.randomUUID().toString().substring(0, 8);
        }
        if (null == dataDir)
        {
            throw new IllegalArgumentException("a data directory is required (--data-dir)");
        }
        if (!dataDir.isDirectory() && !dataDir.mkdirs() && !dataDir.isDirectory())
        {
            throw new IllegalArgumentException("cannot create the data directory " + dataDir);
        }
        if (0 == mtu)
        {
            // Aeron requires a frame to fit the largest message, a term / 8.
            mtu = Math.min(bindAddress.getAddress().isLoopbackAddress() ? LOOPBACK_MTU : DEFAULT_MTU,
                Math.max(1024, termLength / 8));
        }
        if (mtu < 1024 || mtu > LOOPBACK_MTU || (mtu & 31) != 0)
        {
            throw new IllegalArgumentException("mtu must be a multiple of 32 between 1024 and 65504: " + mtu);
        }
        if (mtu > termLength / 8)
        {
            throw new IllegalArgumentException("mtu " + mtu + " is larger than the term length / 8 (" +
                termLength / 8 + "): raise the term length or lower the mtu");
        }
        if (termLength < 64 * 1024 || termLength > 1024 * 1024 * 1024 || Integer.bitCount(termLength) != 1)
        {
            throw new IllegalArgumentException("term length must be a power of two from 64 KiB to 1 GiB: " + termLength);
        }
        if (sessionTimeoutMs < 100)
        {
            throw new IllegalArgumentException("session timeout must be at least 100 ms: " + sessionTimeoutMs);
        }
        if (maxSessions < 1)
        {
            throw new IllegalArgumentException("max sessions must be positive: " + maxSessions);
        }
        if (maxFetchWaitMs < 0)
        {
            throw new IllegalArgumentException("max fetch wait must not be negative: " + maxFetchWaitMs);
        }
        if (null != retentionBytes && retentionBytes < -1)
        {
            throw new IllegalArgumentException("retention bytes must be -1 (no limit) or more: " + retentionBytes);
        }
        if (null != retentionMs && retentionMs < -1)
        {
            throw new IllegalArgumentException("retention ms must be -1 (no limit) or more: " + retentionMs);
        }
        if (segmentBytes < 1)
        {
            throw new IllegalArgumentException("segment bytes must be positive: " + segmentBytes);
        }

        maxMessageLength = termLength / 8;
        // A produce request is its SBE prefix plus the batch; leave room for the prefix and a topic name.
        maxBatchBytes = maxMessageLength - 1024;
        if (segmentBytes < maxBatchBytes)
        {
            segmentBytes = maxBatchBytes;
        }

        if (null == idleStrategy)
        {
            idleStrategy = IdleStrategies.newIdleStrategy(idleStrategyName);
        }
        if (null == errorHandler)
        {
            errorHandler = (throwable) ->
            {
                System.err.println("broker " + nodeId + ": " + throwable);
                throwable.printStackTrace(System.err);
            };
        }
        if (null == epochClock)
        {
            epochClock = SystemEpochClock.INSTANCE;
        }
        if (null == nanoClock)
        {
            nanoClock = SystemNanoClock.INSTANCE;
        }
        concluded = true;

        return this;
    }

    static InetSocketAddress parseHostPort(final String hostPort)
    {
        final int colon = null == hostPort ? -1 : hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1)
        {
            throw new IllegalArgumentException("expected HOST:PORT but got '" + hostPort + "'");
        }
        final int port;
        try
        {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("the port of '" + hostPort + "' is not a number");
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("the port of '" + hostPort + "' is out of range");
        }
        final InetSocketAddress address = new InetSocketAddress(hostPort.substring(0, colon), port);
        if (address.isUnresolved())
        {
            throw new IllegalArgumentException("cannot resolve the host of '" + hostPort + "'");
        }

        return address;
    }

    public BrokerContext nodeId(final String nodeId)
    {
        this.nodeId = nodeId;
        return this;
    }

    public String nodeId()
    {
        return nodeId;
    }

    /**
     * @param hostPort UDP endpoint the node serves on (requests on stream 20, membership on stream 10).
     * @return this.
     */
    public BrokerContext bind(final String hostPort)
    {
        this.bind = hostPort;
        return this;
    }

    public String bind()
    {
        return bind;
    }

    public InetSocketAddress bindAddress()
    {
        return bindAddress;
    }

    public BrokerContext dataDir(final File dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    public File dataDir()
    {
        return dataDir;
    }

    /**
     * @param mtu of response publications; 0 picks 65504 on loopback and 8192 elsewhere.
     * @return this.
     */
    public BrokerContext mtu(final int mtu)
    {
        this.mtu = mtu;
        return this;
    }

    public int mtu()
    {
        return mtu;
    }

    public BrokerContext termLength(final int termLength)
    {
        this.termLength = termLength;
        return this;
    }

    public int termLength()
    {
        return termLength;
    }

    /**
     * @return the largest request or response: term length / 8.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * @return the largest record batch a produce request may carry.
     */
    public int maxBatchBytes()
    {
        return maxBatchBytes;
    }

    public BrokerContext sessionTimeoutMs(final long sessionTimeoutMs)
    {
        this.sessionTimeoutMs = sessionTimeoutMs;
        return this;
    }

    public long sessionTimeoutMs()
    {
        return sessionTimeoutMs;
    }

    public BrokerContext maxFetchWaitMs(final long maxFetchWaitMs)
    {
        this.maxFetchWaitMs = maxFetchWaitMs;
        return this;
    }

    public long maxFetchWaitMs()
    {
        return maxFetchWaitMs;
    }

    /**
     * @param flushPolicy when partition logs force to disk before a produce is acknowledged.
     * @return this.
     */
    public BrokerContext flushPolicy(final FlushPolicy flushPolicy)
    {
        this.flushPolicy = flushPolicy;
        return this;
    }

    public FlushPolicy flushPolicy()
    {
        return flushPolicy;
    }

    public BrokerContext segmentBytes(final int segmentBytes)
    {
        this.segmentBytes = segmentBytes;
        return this;
    }

    public int segmentBytes()
    {
        return segmentBytes;
    }

    /**
     * @param retentionBytes size a partition's log is kept within by deleting its oldest segments (-1: no limit);
     *                       null leaves the storage default ({@code swimlog.log.retention.bytes}).
     * @return this.
     */
    public BrokerContext retentionBytes(final Long retentionBytes)
    {
        this.retentionBytes = retentionBytes;
        return this;
    }

    public Long retentionBytes()
    {
        return retentionBytes;
    }

    /**
     * @param retentionMs age after which a segment whose records are all older is deleted; null leaves the
     *                    storage default ({@code swimlog.log.retention.ms}, 7 days).
     * @return this.
     */
    public BrokerContext retentionMs(final Long retentionMs)
    {
        this.retentionMs = retentionMs;
        return this;
    }

    public Long retentionMs()
    {
        return retentionMs;
    }

    /**
     * @param maxSessions client sessions served at once; connects beyond it are dropped and counted, so a flood
     *                    of connects cannot make the broker open unbounded publications.
     * @return this.
     */
    public BrokerContext maxSessions(final int maxSessions)
    {
        this.maxSessions = maxSessions;
        return this;
    }

    public int maxSessions()
    {
        return maxSessions;
    }

    /**
     * @param seeds membership seeds (HOST:PORT of other nodes).
     * @return this.
     */
    public BrokerContext seeds(final List<String> seeds)
    {
        this.seeds = List.copyOf(seeds);
        return this;
    }

    public List<String> seeds()
    {
        return seeds;
    }

    /**
     * @param membershipEnabled whether the node joins the SWIM membership on its endpoint (default true).
     * @return this.
     */
    public BrokerContext membershipEnabled(final boolean membershipEnabled)
    {
        this.membershipEnabled = membershipEnabled;
        return this;
    }

    public boolean membershipEnabled()
    {
        return membershipEnabled;
    }

    /**
     * @param aeronDirectoryName of an external media driver; null embeds one.
     * @return this.
     */
    public BrokerContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * @param aeron a connected client to share (several nodes in one process); the node does not close it.
     * @return this.
     */
    public BrokerContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @param idleStrategyName the conductor's idle strategy by name, when no {@link #idleStrategy} is given; see
     *                         {@link #IDLE_STRATEGY_PROP}.
     * @return this.
     */
    public BrokerContext idleStrategyName(final String idleStrategyName)
    {
        this.idleStrategyName = idleStrategyName;
        return this;
    }

    public String idleStrategyName()
    {
        return idleStrategyName;
    }

    /**
     * @param threadingMode how the node uses threads; defaults to {@link #THREADING_MODE_PROP}, else dedicated.
     * @return this.
     */
    public BrokerContext threadingMode(final BrokerThreadingMode threadingMode)
    {
        this.threadingMode = threadingMode;
        return this;
    }

    public BrokerThreadingMode threadingMode()
    {
        return threadingMode;
    }

    public BrokerContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    public BrokerContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    public BrokerContext epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    public EpochClock epochClock()
    {
        return epochClock;
    }

    public BrokerContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @param metadataStore where topic metadata lives; null (default) keeps it in files under the data directory.
     * @return this.
     */
    public BrokerContext metadataStore(final MetadataStore metadataStore)
    {
        this.metadataStore = metadataStore;
        return this;
    }

    public MetadataStore metadataStore()
    {
        return metadataStore;
    }
}
