package io.swimlog.broker;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.Configuration;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.swimlog.membership.aeron.EmbeddedMediaDriver;
import io.swimlog.protocol.broker.BrokerProtocol;
import io.swimlog.protocol.broker.IdleStrategies;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;

import java.util.List;

/**
 * A running broker node: media driver (embedded unless the context points at one), the request subscriptions on
 * the node's UDP endpoint and, for clients of the same media driver, on IPC (stream
 * {@link BrokerProtocol#ipcRequestStreamId(int)}: the node's port), the metadata store, the partition logs and the conductor thread that serves them (and,
 * with {@link BrokerThreadingMode#SHARED}, runs the embedded driver too).
 * <pre>{@code
 * try (BrokerNode node = BrokerNode.start(new BrokerContext().bind("127.0.0.1:7000").dataDir(dir)))
 * {
 *     ... clients connect to 127.0.0.1:7000 ...
 * }
 * }</pre>
 * {@link #close()} stops the conductor, flushes and closes every log, then releases Aeron resources it owns.
 * Thread safe: start and close from any thread; the protocol runs on the conductor thread.
 */
public final class BrokerNode implements AutoCloseable
{
    private final BrokerContext ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final boolean ownsAeron;
    private final Subscription subscription;
    private final Subscription ipcSubscription;
    private final BrokerCounters counters;
    private final MetadataStore metadataStore;
    private final BrokerConductor conductor;
    private final AgentRunner runner;
    private volatile boolean closed;

    private BrokerNode(final BrokerContext ctx, final MemberDirectory members)
    {
        this.ctx = ctx;
        MediaDriver launchedDriver = null;
        Aeron connected = ctx.aeron();
        Subscription requests = null;
        Subscription ipcRequests = null;
        BrokerCounters brokerCounters = null;
        MetadataStore store = null;
        try
        {
            if (null == connected)
            {
                String aeronDir = ctx.aeronDirectoryName();
                final Aeron.Context aeronContext = new Aeron.Context();
                if (null == aeronDir)
                {
                    launchedDriver = launchEmbeddedDriver(ctx.threadingMode());
                    aeronDir = launchedDriver.aeronDirectoryName();
                    if (BrokerThreadingMode.SHARED == ctx.threadingMode())
                    {
                        // The client's conductor runs in the duty cycle too; its blocking calls (adding a
                        // publication) run the driver themselves while they wait, always on the one thread.
                        aeronContext.useConductorAgentInvoker(true)
                            .driverAgentInvoker(launchedDriver.sharedAgentInvoker());
                    }
                }
                connected = Aeron.connect(aeronContext.aeronDirectoryName(aeronDir));
            }
            requests = connected.addSubscription(
                "aeron:udp?endpoint=" + ctx.bind(), BrokerProtocol.REQUEST_STREAM_ID);
            // Clients on this node's driver (a host's shared driver) may send over shared memory instead: no
            // datagrams, and the driver's thread is off the record's path.
            ipcRequests = connected.addSubscription("aeron:ipc",
                BrokerProtocol.ipcRequestStreamId(BrokerContext.parseHostPort(ctx.bind()).getPort()));
            brokerCounters = new BrokerCounters(connected, ctx.nodeId());
            store = null != ctx.metadataStore() ? ctx.metadataStore() : new FileMetadataStore(ctx.dataDir());
            final MemberDirectory directory = null != members ? members : () -> List.of(
                new MemberDirectory.MemberInfo(ctx.nodeId(), ctx.bind(), 0, 0, new byte[0]));
            this.conductor = new BrokerConductor(
                ctx, connected, requests, ipcRequests, brokerCounters, store, directory);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(store, brokerCounters, ipcRequests, requests);
            if (null == ctx.aeron())
            {
                CloseHelper.quietClose(connected);
            }
            CloseHelper.quietClose(launchedDriver);
            throw ex;
        }
        this.driver = launchedDriver;
        this.aeron = connected;
        this.ownsAeron = null == ctx.aeron();
        this.subscription = requests;
        this.ipcSubscription = ipcRequests;
        this.counters = brokerCounters;
        this.metadataStore = store;
        final Agent agent = null != launchedDriver && BrokerThreadingMode.SHARED == ctx.threadingMode() ?
            new CompositeAgent(
                new InvokedDriver(launchedDriver.sharedAgentInvoker(), connected.conductorAgentInvoker()), conductor) :
            conductor;
        this.runner = new AgentRunner(ctx.idleStrategy(), ctx.errorHandler(), null, agent);
    }

    /**
     * Start a broker node without membership: it answers MembersRequest with itself alone.
     *
     * @param ctx settings; concluded here.
     * @return the running node.
     */
    public static BrokerNode start(final BrokerContext ctx)
    {
        return start(ctx, null);
    }

    /**
     * Start a broker node whose MembersRequest answers come from {@code members}.
     *
     * @param ctx     settings; concluded here.
     * @param members who is in the cluster, or null for this node alone.
     * @return the running node.
     */
    public static BrokerNode start(final BrokerContext ctx, final MemberDirectory members)
    {
        ctx.conclude();
        final BrokerNode node = new BrokerNode(ctx, members);
        AgentRunner.startOnThread(node.runner);

        return node;
    }

    /**
     * A media driver for this process alone, in its own directory, deleted on close (and by the next launch if
     * the process is killed before it can close it), on a thread of its own. Socket buffers and the receive window
     * are sized for the large MTU that loopback allows.
     */
    public static MediaDriver launchEmbeddedDriver()
    {
        return launchEmbeddedDriver(BrokerThreadingMode.DEDICATED);
    }

    private static MediaDriver launchEmbeddedDriver(final BrokerThreadingMode threadingMode)
    {
        return MediaDriver.launch(driverContext()
            .aeronDirectoryName(EmbeddedMediaDriver.freshDirectory("broker"))
            .dirDeleteOnStart(true)
            .threadingMode(BrokerThreadingMode.SHARED == threadingMode ? ThreadingMode.INVOKER : ThreadingMode.SHARED));
    }

    /**
     * The settings of the node's media drivers, for a driver of its own or one a host's processes share: one
     * thread for the driver, socket buffers and receive window sized for the large MTU that loopback allows, the
     * directory deleted on close. The caller names the directory.
     */
    public static MediaDriver.Context driverContext()
    {
        return new MediaDriver.Context()
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(driverIdleStrategy())
            .socketRcvbufLength(2 * 1024 * 1024)
            .socketSndbufLength(2 * 1024 * 1024)
            .initialWindowLength(2 * 1024 * 1024)
            .warnIfDirectoryExists(false);
    }

    /**
     * Aeron's {@code aeron.shared.idle.strategy} when it is set (spin for a latency run on spare cores), else a
     * backoff that parks for at most 100 us: it behaves on 2 cores shared with other processes.
     */
    private static IdleStrategy driverIdleStrategy()
    {
        return null != System.getProperty(Configuration.SHARED_IDLE_STRATEGY_PROP_NAME) ?
            Configuration.sharedIdleStrategy(null) :
            IdleStrategies.newIdleStrategy(IdleStrategies.BACKOFF);
    }

    /**
     * @return the directory of the media driver the node uses, for other Aeron clients in the process (membership)
     *         to share it.
     */
    public String aeronDirectoryName()
    {
        return aeron.context().aeronDirectoryName();
    }

    public BrokerContext context()
    {
        return ctx;
    }

    /**
     * @return the Aeron client the node uses (given in the context, or its own on its driver).
     */
    public Aeron aeron()
    {
        return aeron;
    }

    public BrokerCounters counters()
    {
        return counters;
    }

    /**
     * @return HOST:PORT clients use as their bootstrap address.
     */
    public String endpoint()
    {
        return ctx.bind();
    }

    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(runner, metadataStore, counters, ipcSubscription, subscription);
        if (ownsAeron)
        {
            CloseHelper.closeAll(aeron, driver);
        }
    }

    /**
     * The embedded driver and the node's Aeron client conductor as one step of the broker's duty cycle
     * ({@link BrokerThreadingMode#SHARED}). Both invokers were started at launch and are closed with the driver
     * and the client, after the runner has stopped.
     */
    private static final class InvokedDriver implements Agent
    {
        private final AgentInvoker driver;
        private final AgentInvoker clientConductor;

        InvokedDriver(final AgentInvoker driver, final AgentInvoker clientConductor)
        {
            this.driver = driver;
            this.clientConductor = clientConductor;
        }

        public int doWork()
        {
            return driver.invoke() + clientConductor.invoke();
        }

        public String roleName()
        {
            return "broker-media-driver";
        }
    }
}
