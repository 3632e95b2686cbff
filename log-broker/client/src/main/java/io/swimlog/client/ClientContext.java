package io.swimlog.client;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.swimlog.protocol.broker.BrokerProtocol;
import io.swimlog.protocol.broker.IdleStrategies;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Settings of a {@link Producer}, {@link Consumer} or {@link Admin}, in the manner of Aeron's contexts: fluent
 * setters, defaults from system properties ({@code swimlog.client.*}), validated once by {@link #conclude()}.
 * <p>
 * Connection: {@link #bootstrap(String)} is a broker's HOST:PORT. Responses come back on the client's own
 * subscription, on an ephemeral port of the local address that faces the broker ({@link #responseHost(String)}
 * overrides it). An embedded media driver is launched unless {@link #aeron(Aeron)} or
 * {@link #aeronDirectoryName(String)} is given.
 * <p>
 * Not thread safe; one context per client object.
 */
public final class ClientContext implements Cloneable
{
    public static final String BOOTSTRAP_PROP = "swimlog.client.bootstrap";
    public static final String MTU_PROP = "swimlog.client.mtu";
    public static final String TERM_LENGTH_PROP = "swimlog.client.term.length";
    public static final String REQUEST_TIMEOUT_MS_PROP = "swimlog.client.request.timeout.ms";
    /**
     * How the producer's I/O thread and a polling consumer wait for work, by {@link IdleStrategies} name (default
     * backoff). Busy strategies trade a core each for latency.
     */
    public static final String IDLE_STRATEGY_PROP = "swimlog.client.idle.strategy";
    /**
     * Talk to the broker over IPC through the media driver the node uses (a host's shared driver) instead of UDP.
     */
    public static final String IPC_PROP = "swimlog.client.ipc";

    public static final int LOOPBACK_MTU = 65504;
    public static final int DEFAULT_MTU = 8192;
    public static final int DEFAULT_TERM_LENGTH = 16 * 1024 * 1024;

    private String bootstrap = System.getProperty(BOOTSTRAP_PROP, "127.0.0.1:7000");
    private String responseHost;
    private String clientName = "swimlog-client-" + UUID.randomUUID().toString().substring(0, 8);
    private int mtu = Integer.getInteger(MTU_PROP, 0);
    private int termLength = Integer.getInteger(TERM_LENGTH_PROP, DEFAULT_TERM_LENGTH);
    private long connectTimeoutMs = 5_000;
    private long requestTimeoutMs = Long.getLong(REQUEST_TIMEOUT_MS_PROP, 30_000L);
    private String aeronDirectoryName = System.getProperty(CommonContext.AERON_DIR_PROP_NAME);
    private Supplier<String> embeddedDriverDirectory;
    private String idleStrategyName = System.getProperty(IDLE_STRATEGY_PROP, IdleStrategies.BACKOFF);
    private boolean ipc = Boolean.getBoolean(IPC_PROP);
    private Aeron aeron;

    // Producer settings.
    private byte acks = BrokerProtocol.ACKS_ALL;
    private boolean idempotence = true;
    private int batchSize = 64 * 1024;
    private long lingerMs = 5;
    private int maxInFlight = 5;
    private long bufferMemory = 32L * 1024 * 1024;
    private long deliveryTimeoutMs = 120_000;
    private long maxBlockMs = 60_000;
    private ProducerListener producerListener;

    // Consumer settings.
    private int fetchMaxBytes = 1024 * 1024;
    private int fetchMaxWaitMs = 500;
    private int maxPollRecords = 500;
    private boolean fromBeginning = false;
    private boolean checkCrcs = true;

    private InetSocketAddress bootstrapAddress;
    private boolean concluded;

    /**
     * Validate and fill derived values.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad setting, in one sentence.
     */
    public ClientContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        bootstrapAddress = parseHostPort(bootstrap);
        final boolean loopback = bootstrapAddress.getAddress().isLoopbackAddress();
        if (null == responseHost)
        {
            responseHost = loopback ? bootstrapAddress.getAddress().getHostAddress() : localAddressFacing(bootstrapAddress);
        }
        if (0 == mtu)
        {
            // Aeron requires a frame to fit the largest message, a term / 8.
            mtu = Math.min(loopback ? LOOPBACK_MTU : DEFAULT_MTU, Math.max(1024, termLength / 8));
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
        if (termLength < 64 * 1024 || Integer.bitCount(termLength) != 1)
        {
            throw new IllegalArgumentException("term length must be a power of two of at least 64 KiB: " + termLength);
        }
        if (BrokerProtocol.ACKS_NONE != acks && BrokerProtocol.ACKS_LEADER != acks && BrokerProtocol.ACKS_ALL != acks)
        {
            throw new IllegalArgumentException("acks must be 0, 1 or all (-1): " + acks);
        }
        if (BrokerProtocol.ACKS_NONE == acks)
        {
            // Nothing is answered, so there is nothing to deduplicate against.
            idempotence = false;
        }
        if (batchSize < 1024 || batchSize > termLength / 8 - 1024)
        {
            throw new IllegalArgumentException("batch size must be between 1 KiB and the term length / 8 less 1 KiB: " +
                batchSize);
        }
        if (maxInFlight < 1 || lingerMs < 0 || bufferMemory < batchSize || requestTimeoutMs < 1 ||
            deliveryTimeoutMs < 1 || connectTimeoutMs < 1)
        {
            throw new IllegalArgumentException("max in flight, timeouts and buffer memory must be positive, " +
                "linger not negative, and buffer memory at least one batch");
        }
        if (fetchMaxBytes < 1 || fetchMaxWaitMs < 0 || maxPollRecords < 1)
        {
            throw new IllegalArgumentException("fetch max bytes and max poll records must be positive");
        }
        if (ipc && null == aeronDirectoryName && null == aeron)
        {
            throw new IllegalArgumentException("ipc reaches only a broker on the same media driver: name that " +
                "driver's directory (aeronDirectoryName, --aeron-dir)");
        }
        newIdleStrategy(); // a bad name fails here, with the other settings, not later on the I/O thread
        concluded = true;

        return this;
    }

    private static String localAddressFacing(final InetSocketAddress remote)
    {
        // Connecting a UDP socket sends nothing; it only asks the kernel which local address routes there.
        try (DatagramSocket socket = new DatagramSocket())
        {
            socket.connect(remote);
            final InetAddress local = socket.getLocalAddress();
            return local.isAnyLocalAddress() ? "0.0.0.0" : local.getHostAddress();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot find a local address that reaches " + remote, ex);
        }
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

    public ClientContext clone()
    {
        try
        {
            final ClientContext copy = (ClientContext)super.clone();
            copy.concluded = false;
            return copy;
        }
        catch (final CloneNotSupportedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @param bootstrap HOST:PORT of a broker.
     * @return this.
     */
    public ClientContext bootstrap(final String bootstrap)
    {
        this.bootstrap = bootstrap;
        return this;
    }

    public String bootstrap()
    {
        return bootstrap;
    }

    public InetSocketAddress bootstrapAddress()
    {
        return bootstrapAddress;
    }

    public ClientContext responseHost(final String responseHost)
    {
        this.responseHost = responseHost;
        return this;
    }

    public String responseHost()
    {
        return responseHost;
    }

    public ClientContext clientName(final String clientName)
    {
        this.clientName = clientName;
        return this;
    }

    public String clientName()
    {
        return clientName;
    }

    /**
     * @param mtu of this client's requests and the broker's responses; 0 picks 65504 on loopback, 8192 elsewhere.
     * @return this.
     */
    public ClientContext mtu(final int mtu)
    {
        this.mtu = mtu;
        return this;
    }

    public int mtu()
    {
        return mtu;
    }

    /**
     * @param termLength of request and response publications; the largest message is a term / 8.
     * @return this.
     */
    public ClientContext termLength(final int termLength)
    {
        this.termLength = termLength;
        return this;
    }

    public int termLength()
    {
        return termLength;
    }

    public ClientContext connectTimeoutMs(final long connectTimeoutMs)
    {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
    }

    public long connectTimeoutMs()
    {
        return connectTimeoutMs;
    }

    /**
     * @param requestTimeoutMs after which an unanswered request counts as lost: the client reconnects and retries.
     * @return this.
     */
    public ClientContext requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        return this;
    }

    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /**
     * @param idleStrategyName see {@link #IDLE_STRATEGY_PROP}.
     * @return this.
     */
    public ClientContext idleStrategyName(final String idleStrategyName)
    {
        this.idleStrategyName = idleStrategyName;
        return this;
    }

    public String idleStrategyName()
    {
        return idleStrategyName;
    }

    /**
     * @return a new idle strategy of the configured kind: each waiting loop needs its own, they keep state.
     * @throws IllegalArgumentException if {@link IdleStrategies} does not know the name.
     */
    public IdleStrategy newIdleStrategy()
    {
        return IdleStrategies.newIdleStrategy(idleStrategyName);
    }

    /**
     * @param ipc true to send requests and receive responses over IPC (shared memory) through the media driver
     *            that the broker node uses, which must then be this client's driver too
     *            ({@link #aeronDirectoryName}); false (the default) for UDP to {@link #bootstrap}. IPC takes the
     *            datagrams and the driver's thread off each request's path: the lowest latency and CPU for a
     *            client on the broker's host. The node takes IPC requests on the stream
     *            {@link BrokerProtocol#ipcRequestStreamId(int)} of its bootstrap port.
     * @return this.
     */
    public ClientContext ipc(final boolean ipc)
    {
        this.ipc = ipc;
        return this;
    }

    public boolean ipc()
    {
        return ipc;
    }

    /**
     * @param aeronDirectoryName of a running media driver to use instead of an embedded one; defaults to the
     *                           {@code aeron.dir} system property, as for every Aeron client.
     * @return this.
     */
    public ClientContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * @param embeddedDriverDirectory names a fresh directory each time a client launches its own media driver
     *                                (neither an Aeron client nor a driver directory given); null: Aeron's
     *                                random {@code aeron-root-*} name. A name that a later launch can reclaim
     *                                after a SIGKILL keeps /dev/shm from filling up.
     * @return this.
     */
    public ClientContext embeddedDriverDirectory(final Supplier<String> embeddedDriverDirectory)
    {
        this.embeddedDriverDirectory = embeddedDriverDirectory;
        return this;
    }

    public Supplier<String> embeddedDriverDirectory()
    {
        return embeddedDriverDirectory;
    }

    /**
     * @param aeron a connected client to share; the client object does not close it.
     * @return this.
     */
    public ClientContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @param acks 0 (no answer), 1 (leader appended) or -1 (all in-sync replicas; with one broker, as 1).
     * @return this.
     */
    public ClientContext acks(final int acks)
    {
        this.acks = (byte)acks;
        return this;
    }

    public byte acks()
    {
        return acks;
    }

    /**
     * @param idempotence whether batches carry a producer id and sequence so that retries are not appended twice.
     * @return this.
     */
    public ClientContext idempotence(final boolean idempotence)
    {
        this.idempotence = idempotence;
        return this;
    }

    public boolean idempotence()
    {
        return idempotence;
    }

    public ClientContext batchSize(final int batchSize)
    {
        this.batchSize = batchSize;
        return this;
    }

    public int batchSize()
    {
        return batchSize;
    }

    /**
     * @param lingerMs how long a batch that is not full waits for more records before it is sent; with 0 (and acks
     *                 1 or all) the sending thread sends a record itself when its partition has a request slot
     *                 free, and batches form only while every slot is taken.
     * @return this.
     */
    public ClientContext lingerMs(final long lingerMs)
    {
        this.lingerMs = lingerMs;
        return this;
    }

    public long lingerMs()
    {
        return lingerMs;
    }

    /**
     * @param maxInFlight unacknowledged batches per partition.
     * @return this.
     */
    public ClientContext maxInFlight(final int maxInFlight)
    {
        this.maxInFlight = maxInFlight;
        return this;
    }

    public int maxInFlight()
    {
        return maxInFlight;
    }

    public ClientContext bufferMemory(final long bufferMemory)
    {
        this.bufferMemory = bufferMemory;
        return this;
    }

    public long bufferMemory()
    {
        return bufferMemory;
    }

    /**
     * @param deliveryTimeoutMs after which a record not yet acknowledged, retries included, fails.
     * @return this.
     */
    public ClientContext deliveryTimeoutMs(final long deliveryTimeoutMs)
    {
        this.deliveryTimeoutMs = deliveryTimeoutMs;
        return this;
    }

    public long deliveryTimeoutMs()
    {
        return deliveryTimeoutMs;
    }

    /**
     * @param maxBlockMs how long {@link Producer#send} waits for buffer memory before it fails.
     * @return this.
     */
    public ClientContext maxBlockMs(final long maxBlockMs)
    {
        this.maxBlockMs = maxBlockMs;
        return this;
    }

    public long maxBlockMs()
    {
        return maxBlockMs;
    }

    /**
     * @param producerListener told of every acknowledged or failed batch (the allocation-free path's completion).
     * @return this.
     */
    public ClientContext producerListener(final ProducerListener producerListener)
    {
        this.producerListener = producerListener;
        return this;
    }

    public ProducerListener producerListener()
    {
        return producerListener;
    }

    /**
     * @param fetchMaxBytes the most one fetch answer carries, and a consumer's window per partition: what the
     *                      broker may send ahead of what the application has consumed (default 1 MiB).
     */
    public ClientContext fetchMaxBytes(final int fetchMaxBytes)
    {
        this.fetchMaxBytes = fetchMaxBytes;
        return this;
    }

    public int fetchMaxBytes()
    {
        return fetchMaxBytes;
    }

    /**
     * @param fetchMaxWaitMs how long the broker keeps a consumer's open fetch with nothing to send before it ends
     *                       it (the consumer then sends a new one); default 500.
     */
    public ClientContext fetchMaxWaitMs(final int fetchMaxWaitMs)
    {
        this.fetchMaxWaitMs = fetchMaxWaitMs;
        return this;
    }

    public int fetchMaxWaitMs()
    {
        return fetchMaxWaitMs;
    }

    public ClientContext maxPollRecords(final int maxPollRecords)
    {
        this.maxPollRecords = maxPollRecords;
        return this;
    }

    public int maxPollRecords()
    {
        return maxPollRecords;
    }

    /**
     * @param fromBeginning where a consumer starts on a partition it has no position for: the earliest offset
     *                      (true) or the log end (false, the default).
     * @return this.
     */
    public ClientContext fromBeginning(final boolean fromBeginning)
    {
        this.fromBeginning = fromBeginning;
        return this;
    }

    public boolean fromBeginning()
    {
        return fromBeginning;
    }

    public ClientContext checkCrcs(final boolean checkCrcs)
    {
        this.checkCrcs = checkCrcs;
        return this;
    }

    public boolean checkCrcs()
    {
        return checkCrcs;
    }
}
