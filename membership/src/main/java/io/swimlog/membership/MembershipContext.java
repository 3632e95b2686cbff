package io.swimlog.membership;

import io.aeron.Aeron;
import io.swimlog.membership.aeron.AeronTransport;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of one member, in the manner of Aeron's contexts: fluent setters, defaults from system
 * properties ({@code swimlog.membership.*}), validated once by {@link #conclude()}, which also fills derived
 * values. Timings start from a {@link MembershipProfile} (memberlist's LAN values by default); a timing set
 * here overrides the profile's.
 * <p>
 * Not thread safe: set it up on one thread, then hand it to {@link Membership#start(MembershipContext)}.
 */
public final class MembershipContext
{
    public static final String MEMBER_ID_PROP = "swimlog.membership.member.id";
    public static final String BIND_PROP = "swimlog.membership.bind";
    public static final String SEEDS_PROP = "swimlog.membership.seeds";
    public static final String CLUSTER_NAME_PROP = "swimlog.membership.cluster.name";
    public static final String KEYS_PROP = "swimlog.membership.keys";
    public static final String PROFILE_PROP = "swimlog.membership.profile";
    public static final String PROBE_INTERVAL_PROP = "swimlog.membership.probe.interval.ms";
    public static final String PROBE_TIMEOUT_PROP = "swimlog.membership.probe.timeout.ms";
    public static final String MAX_DATAGRAM_LENGTH_PROP = "swimlog.membership.max.datagram.length";
    public static final String MAX_METADATA_LENGTH_PROP = "swimlog.membership.max.metadata.length";
    public static final String MAX_QUEUED_BROADCASTS_PROP = "swimlog.membership.max.queued.broadcasts";

    public static final String DEFAULT_BIND = "127.0.0.1:7946";
    public static final String DEFAULT_CLUSTER_NAME = "swimlog";
    /** Under a 1,408-byte Aeron MTU with room to spare, and under common path MTUs. */
    public static final int DEFAULT_MAX_DATAGRAM_LENGTH = 1300;
    public static final int DEFAULT_MAX_METADATA_LENGTH = 1024;
    /**
     * Messages each gossip queue (member updates; user broadcasts) holds before dropping its most-sent one. A
     * member piggybacks about 20 datagrams a second of ~23 updates each at memberlist's LAN timings, so it sends
     * about 23 updates a second their full count of 20 (at 10,000 members): 2,048 queued updates are a minute and
     * a half of work, longer than a suspicion's shortest timeout; news queued deeper is stale before it would go
     * out, and push-pull carries it instead. Clusters of up to this many members never reach it with member updates
     * (one queued update per member). The price beyond that: news dropped from every full queue (a join of
     * thousands of members at once) waits for push-pull, where memberlist, which keeps one update per member
     * unbounded, would go on gossiping it; a bound at or above the cluster size restores memberlist's behaviour.
     */
    public static final int DEFAULT_MAX_QUEUED_BROADCASTS = 2048;
    public static final int MAX_MEMBER_ID_LENGTH = 128;
    public static final int MAX_ENDPOINT_LENGTH = 128;
    private static final int UNSET = Integer.MIN_VALUE; // not a value anyone sets, unlike -1

    private boolean concluded;
    private String memberId = System.getProperty(MEMBER_ID_PROP);
    private String bind = System.getProperty(BIND_PROP, DEFAULT_BIND);
    private List<String> seeds = parseList(System.getProperty(SEEDS_PROP, ""));
    private String clusterName = System.getProperty(CLUSTER_NAME_PROP, DEFAULT_CLUSTER_NAME);
    private Keyring keyring =
        System.getProperty(KEYS_PROP) != null ? Keyring.parse(System.getProperty(KEYS_PROP)) : null;
    private MembershipProfile profile = MembershipProfile.valueOf(System.getProperty(PROFILE_PROP, "LAN"));
    private long probeIntervalMs = Long.getLong(PROBE_INTERVAL_PROP, UNSET);
    private long probeTimeoutMs = Long.getLong(PROBE_TIMEOUT_PROP, UNSET);
    private int indirectChecks = UNSET;
    private int suspicionMult = UNSET;
    private int suspicionMaxTimeoutMult = UNSET;
    private int retransmitMult = UNSET;
    private long gossipIntervalMs = UNSET;
    private int gossipNodes = UNSET;
    private long pushPullIntervalMs = UNSET;
    private long gossipToTheDeadTimeMs = UNSET;
    private long deadReclaimTimeMs = UNSET;
    private long reconnectIntervalMs = UNSET;
    private int awarenessMaxMultiplier = UNSET;
    private long leaveTimeoutMs = 3_000;
    private int maxDatagramLength = Integer.getInteger(MAX_DATAGRAM_LENGTH_PROP, DEFAULT_MAX_DATAGRAM_LENGTH);
    private int maxMetadataLength = Integer.getInteger(MAX_METADATA_LENGTH_PROP, DEFAULT_MAX_METADATA_LENGTH);
    private int maxQueuedBroadcasts = Integer.getInteger(MAX_QUEUED_BROADCASTS_PROP, DEFAULT_MAX_QUEUED_BROADCASTS);
    private byte[] metadata = MemberTable.EMPTY;
    private MembershipListener listener;
    private Transport transport;
    private boolean ownsTransport;
    private String aeronDirectoryName = System.getProperty("aeron.dir");
    private Aeron aeron;
    private IdleStrategy idleStrategy;
    private ErrorHandler errorHandler;
    private EpochClock epochClock;
    private NanoClock nanoClock;
    private long randomSeed = ThreadLocalRandom.current().nextLong();
    private long initialIncarnation = UNSET;

    /**
     * Validates the settings and fills in what was left to defaults. Starts the default transport (Aeron UDP)
     * when none was given. Called once, by {@link Membership#start(MembershipContext)}.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first setting that is wrong.
     */
    public MembershipContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("MembershipContext already concluded");
        }

        if (memberId == null || memberId.isEmpty())
        {
            memberId = "member-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFF_FFFFL);
        }
        requireLength("member id", memberId, MAX_MEMBER_ID_LENGTH);
        requireHostPort("bind", bind);
        for (final String seed : seeds)
        {
            requireHostPort("seed", seed);
        }
        requireLength("cluster name", clusterName, PacketEnvelope.MAX_CLUSTER_NAME_LENGTH);
        Objects.requireNonNull(profile, "profile");

        probeIntervalMs = resolve(probeIntervalMs, profile.probeIntervalMs);
        probeTimeoutMs = resolve(probeTimeoutMs, profile.probeTimeoutMs);
        indirectChecks = (int)resolve(indirectChecks, profile.indirectChecks);
        suspicionMult = (int)resolve(suspicionMult, profile.suspicionMult);
        suspicionMaxTimeoutMult = (int)resolve(suspicionMaxTimeoutMult, profile.suspicionMaxTimeoutMult);
        retransmitMult = (int)resolve(retransmitMult, profile.retransmitMult);
        gossipIntervalMs = resolve(gossipIntervalMs, profile.gossipIntervalMs);
        gossipNodes = (int)resolve(gossipNodes, profile.gossipNodes);
        pushPullIntervalMs = resolve(pushPullIntervalMs, profile.pushPullIntervalMs);
        gossipToTheDeadTimeMs = resolve(gossipToTheDeadTimeMs, profile.gossipToTheDeadTimeMs);
        deadReclaimTimeMs = resolve(deadReclaimTimeMs, profile.deadReclaimTimeMs);
        reconnectIntervalMs = resolve(reconnectIntervalMs, profile.reconnectIntervalMs);
        awarenessMaxMultiplier = (int)resolve(awarenessMaxMultiplier, profile.awarenessMaxMultiplier);

        requirePositive("probeIntervalMs", probeIntervalMs);
        requirePositive("probeTimeoutMs", probeTimeoutMs);
        if (probeTimeoutMs >= probeIntervalMs)
        {
            throw new IllegalArgumentException(
                "probeTimeoutMs (" + probeTimeoutMs + ") must be shorter than probeIntervalMs (" +
                probeIntervalMs + ")");
        }
        requireNonNegative("indirectChecks", indirectChecks);
        requirePositive("suspicionMult", suspicionMult);
        requirePositive("suspicionMaxTimeoutMult", suspicionMaxTimeoutMult);
        requirePositive("retransmitMult", retransmitMult);
        requirePositive("gossipIntervalMs", gossipIntervalMs);
        requireNonNegative("gossipNodes", gossipNodes);
        requirePositive("pushPullIntervalMs", pushPullIntervalMs);
        requireNonNegative("gossipToTheDeadTimeMs", gossipToTheDeadTimeMs);
        requirePositive("deadReclaimTimeMs", deadReclaimTimeMs);
        requirePositive("reconnectIntervalMs", reconnectIntervalMs);
        requirePositive("awarenessMaxMultiplier", awarenessMaxMultiplier);
        requireNonNegative("leaveTimeoutMs", leaveTimeoutMs);
        requirePositive("maxQueuedBroadcasts", maxQueuedBroadcasts);

        if (maxDatagramLength < 512 || maxDatagramLength > 65_000)
        {
            throw new IllegalArgumentException("maxDatagramLength must be 512 to 65000 bytes: " + maxDatagramLength);
        }
        final int aliveLength = MessageCodec.aliveLength(
            memberId.getBytes(StandardCharsets.UTF_8).length, MAX_ENDPOINT_LENGTH, maxMetadataLength);
        final int envelope = envelopeOverhead();
        if (maxMetadataLength < 0 || aliveLength + envelope > maxDatagramLength)
        {
            throw new IllegalArgumentException("maxMetadataLength " + maxMetadataLength +
                " does not fit a datagram of maxDatagramLength " + maxDatagramLength + " bytes with its headers");
        }
        if (metadata.length > maxMetadataLength)
        {
            throw new IllegalArgumentException(
                "metadata of " + metadata.length + " bytes exceeds maxMetadataLength " + maxMetadataLength);
        }

        if (listener == null)
        {
            listener = event -> {};
        }
        if (idleStrategy == null)
        {
            idleStrategy = new BackoffIdleStrategy(
                10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        }
        if (errorHandler == null)
        {
            errorHandler = Throwable::printStackTrace;
        }
        if (epochClock == null)
        {
            epochClock = SystemEpochClock.INSTANCE;
        }
        if (nanoClock == null)
        {
            nanoClock = SystemNanoClock.INSTANCE;
        }
        if (transport == null)
        {
            transport = AeronTransport.launch(this);
            ownsTransport = true;
        }
        concluded = true;
        return this;
    }

    /**
     * Bytes {@link PacketEnvelope} adds to each datagram with this cluster name and keyring.
     */
    public int envelopeOverhead()
    {
        final int header = PacketEnvelope.MAX_OVERHEAD - PacketEnvelope.MAX_CLUSTER_NAME_LENGTH -
            PacketEnvelope.NONCE_LENGTH - PacketEnvelope.TAG_LENGTH;
        return header + clusterName.getBytes(StandardCharsets.UTF_8).length +
            (keyring != null ? PacketEnvelope.NONCE_LENGTH + PacketEnvelope.TAG_LENGTH : 0);
    }

    public boolean isConcluded()
    {
        return concluded;
    }

    public MembershipContext memberId(final String memberId)
    {
        this.memberId = memberId;
        return this;
    }

    public String memberId()
    {
        return memberId;
    }

    /**
     * {@code host:port} this member listens on (and, unless the transport says otherwise, is reached at).
     */
    public MembershipContext bind(final String hostPort)
    {
        this.bind = hostPort;
        return this;
    }

    public String bind()
    {
        return bind;
    }

    /**
     * {@code host:port} of members to join through; empty to start a new cluster.
     */
    public MembershipContext seeds(final List<String> hostPorts)
    {
        this.seeds = List.copyOf(hostPorts);
        return this;
    }

    public List<String> seeds()
    {
        return seeds;
    }

    public MembershipContext clusterName(final String clusterName)
    {
        this.clusterName = clusterName;
        return this;
    }

    public String clusterName()
    {
        return clusterName;
    }

    /**
     * Keys for AES-GCM; null sends plaintext. Every member of a cluster must agree.
     */
    public MembershipContext keyring(final Keyring keyring)
    {
        this.keyring = keyring;
        return this;
    }

    public Keyring keyring()
    {
        return keyring;
    }

    public MembershipContext profile(final MembershipProfile profile)
    {
        this.profile = profile;
        return this;
    }

    public MembershipProfile profile()
    {
        return profile;
    }

    public MembershipContext probeIntervalMs(final long probeIntervalMs)
    {
        this.probeIntervalMs = probeIntervalMs;
        return this;
    }

    public long probeIntervalMs()
    {
        return probeIntervalMs;
    }

    public MembershipContext probeTimeoutMs(final long probeTimeoutMs)
    {
        this.probeTimeoutMs = probeTimeoutMs;
        return this;
    }

    public long probeTimeoutMs()
    {
        return probeTimeoutMs;
    }

    /**
     * Members asked to probe a target that missed its direct probe (ping-req).
     */
    public MembershipContext indirectChecks(final int indirectChecks)
    {
        this.indirectChecks = indirectChecks;
        return this;
    }

    public int indirectChecks()
    {
        return indirectChecks;
    }

    public MembershipContext suspicionMult(final int suspicionMult)
    {
        this.suspicionMult = suspicionMult;
        return this;
    }

    public int suspicionMult()
    {
        return suspicionMult;
    }

    public MembershipContext suspicionMaxTimeoutMult(final int suspicionMaxTimeoutMult)
    {
        this.suspicionMaxTimeoutMult = suspicionMaxTimeoutMult;
        return this;
    }

    public int suspicionMaxTimeoutMult()
    {
        return suspicionMaxTimeoutMult;
    }

    public MembershipContext retransmitMult(final int retransmitMult)
    {
        this.retransmitMult = retransmitMult;
        return this;
    }

    public int retransmitMult()
    {
        return retransmitMult;
    }

    public MembershipContext gossipIntervalMs(final long gossipIntervalMs)
    {
        this.gossipIntervalMs = gossipIntervalMs;
        return this;
    }

    public long gossipIntervalMs()
    {
        return gossipIntervalMs;
    }

    public MembershipContext gossipNodes(final int gossipNodes)
    {
        this.gossipNodes = gossipNodes;
        return this;
    }

    public int gossipNodes()
    {
        return gossipNodes;
    }

    public MembershipContext pushPullIntervalMs(final long pushPullIntervalMs)
    {
        this.pushPullIntervalMs = pushPullIntervalMs;
        return this;
    }

    public long pushPullIntervalMs()
    {
        return pushPullIntervalMs;
    }

    /**
     * How long dead members still get gossip, so that a member wrongly declared dead hears of it and refutes.
     */
    public MembershipContext gossipToTheDeadTimeMs(final long gossipToTheDeadTimeMs)
    {
        this.gossipToTheDeadTimeMs = gossipToTheDeadTimeMs;
        return this;
    }

    public long gossipToTheDeadTimeMs()
    {
        return gossipToTheDeadTimeMs;
    }

    /**
     * How long DEAD and LEFT members are remembered (and DEAD ones re-probed) before they are forgotten.
     */
    public MembershipContext deadReclaimTimeMs(final long deadReclaimTimeMs)
    {
        this.deadReclaimTimeMs = deadReclaimTimeMs;
        return this;
    }

    public long deadReclaimTimeMs()
    {
        return deadReclaimTimeMs;
    }

    /**
     * How often a recently dead member or a seed that is not in the view gets a push-pull, so partitions heal.
     */
    public MembershipContext reconnectIntervalMs(final long reconnectIntervalMs)
    {
        this.reconnectIntervalMs = reconnectIntervalMs;
        return this;
    }

    public long reconnectIntervalMs()
    {
        return reconnectIntervalMs;
    }

    public MembershipContext awarenessMaxMultiplier(final int awarenessMaxMultiplier)
    {
        this.awarenessMaxMultiplier = awarenessMaxMultiplier;
        return this;
    }

    public int awarenessMaxMultiplier()
    {
        return awarenessMaxMultiplier;
    }

    /**
     * How long {@link Membership#close()} waits for its leave message to go out.
     */
    public MembershipContext leaveTimeoutMs(final long leaveTimeoutMs)
    {
        this.leaveTimeoutMs = leaveTimeoutMs;
        return this;
    }

    public long leaveTimeoutMs()
    {
        return leaveTimeoutMs;
    }

    /**
     * Messages each gossip queue holds before it drops its most-sent one: see
     * {@link #DEFAULT_MAX_QUEUED_BROADCASTS}.
     */
    public MembershipContext maxQueuedBroadcasts(final int maxQueuedBroadcasts)
    {
        this.maxQueuedBroadcasts = maxQueuedBroadcasts;
        return this;
    }

    public int maxQueuedBroadcasts()
    {
        return maxQueuedBroadcasts;
    }

    public MembershipContext maxDatagramLength(final int maxDatagramLength)
    {
        this.maxDatagramLength = maxDatagramLength;
        return this;
    }

    public int maxDatagramLength()
    {
        return maxDatagramLength;
    }

    /**
     * Largest metadata a member may publish; with its headers it must fit one datagram.
     */
    public MembershipContext maxMetadataLength(final int maxMetadataLength)
    {
        this.maxMetadataLength = maxMetadataLength;
        return this;
    }

    public int maxMetadataLength()
    {
        return maxMetadataLength;
    }

    /**
     * This member's initial metadata (checked against {@link #maxMetadataLength()} by {@link #conclude()}).
     */
    public MembershipContext metadata(final byte[] metadata)
    {
        this.metadata = Objects.requireNonNull(metadata, "metadata").clone();
        return this;
    }

    public byte[] metadata()
    {
        return metadata;
    }

    public MembershipContext listener(final MembershipListener listener)
    {
        this.listener = listener;
        return this;
    }

    public MembershipListener listener()
    {
        return listener;
    }

    /**
     * The datagram transport; when null at {@link #conclude()}, Aeron UDP on {@link #bind()}.
     */
    public MembershipContext transport(final Transport transport)
    {
        this.transport = transport;
        return this;
    }

    public Transport transport()
    {
        return transport;
    }

    /**
     * Whether {@link Membership#close()} closes the transport (true when the context created it).
     */
    public MembershipContext ownsTransport(final boolean ownsTransport)
    {
        this.ownsTransport = ownsTransport;
        return this;
    }

    public boolean ownsTransport()
    {
        return ownsTransport;
    }

    public MembershipContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    public MembershipContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    public Aeron aeron()
    {
        return aeron;
    }

    public MembershipContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    public MembershipContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    public MembershipContext epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    public EpochClock epochClock()
    {
        return epochClock;
    }

    public MembershipContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * Seed of the member's random choices (probe order, gossip targets); fixed by the simulator for replay.
     */
    public MembershipContext randomSeed(final long randomSeed)
    {
        this.randomSeed = randomSeed;
        return this;
    }

    public long randomSeed()
    {
        return randomSeed;
    }

    /**
     * The incarnation this member starts at; by default the epoch second at start, so that a restarted member is
     * newer than its previous life. Incarnations only grow within a life (refutations, metadata updates).
     */
    public MembershipContext initialIncarnation(final long initialIncarnation)
    {
        this.initialIncarnation = initialIncarnation;
        return this;
    }

    public long initialIncarnation()
    {
        return initialIncarnation;
    }

    static List<String> parseList(final String commaSeparated)
    {
        final List<String> list = new ArrayList<>();
        for (final String part : commaSeparated.split(","))
        {
            if (!part.isBlank())
            {
                list.add(part.strip());
            }
        }
        return list;
    }

    private static long resolve(final long value, final long profileValue)
    {
        return value == UNSET ? profileValue : value;
    }

    private static void requirePositive(final String name, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    private static void requireNonNegative(final String name, final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
    }

    private static void requireLength(final String name, final String value, final int max)
    {
        if (value == null || value.isEmpty() || value.getBytes(StandardCharsets.UTF_8).length > max)
        {
            throw new IllegalArgumentException(name + " must be 1 to " + max + " bytes of UTF-8: " + value);
        }
    }

    static void requireHostPort(final String name, final String hostPort)
    {
        final int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        boolean valid = colon > 0 && colon < hostPort.length() - 1 && hostPort.length() <= MAX_ENDPOINT_LENGTH;
        if (valid)
        {
            try
            {
                final int port = Integer.parseInt(hostPort.substring(colon + 1));
                valid = port > 0 && port < 65536;
            }
            catch (final NumberFormatException ex)
            {
                valid = false;
            }
        }
        if (!valid)
        {
            throw new IllegalArgumentException(name + " must be HOST:PORT with a port from 1 to 65535: " + hostPort);
        }
    }

    public String toString()
    {
        return "MembershipContext{memberId=" + memberId + ", bind=" + bind + ", seeds=" + seeds +
            ", clusterName=" + clusterName + ", profile=" + profile + ", probeIntervalMs=" + probeIntervalMs +
            ", probeTimeoutMs=" + probeTimeoutMs + ", indirectChecks=" + indirectChecks +
            ", suspicionMult=" + suspicionMult + ", encrypted=" + (keyring != null) +
            ", metadata=" + Arrays.toString(Arrays.copyOf(metadata, Math.min(8, metadata.length))) + "}";
    }
}
