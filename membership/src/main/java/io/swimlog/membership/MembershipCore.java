package io.swimlog.membership;

import io.swimlog.membership.MembershipCounters.Counter;
import io.swimlog.membership.codecs.MemberStateCode;
import org.agrona.DirectBuffer;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The SWIM + Lifeguard protocol of one member, as a pure state machine: datagrams and the time go in, datagrams
 * go out through {@link Transport} and changes go out to an {@link EventSink}. It owns no thread and reads no
 * clock, so the same code runs in {@link MembershipAgent} over Aeron and in the simulator in virtual time.
 * <p>
 * Incarnation rules (memberlist's state.go), for an update about member M at incarnation i:
 * <ul>
 *   <li>ALIVE(i) applies when i is above M's known incarnation (or M is new, or M was DEAD/LEFT and now has a new
 *   endpoint); about this member itself, anything but its own current state makes it refute.</li>
 *   <li>SUSPECT(i) applies to an ALIVE M when i is at least M's incarnation; to an already SUSPECT M it counts as a
 *   confirmation that shortens the suspicion timer (or, at a higher i, restarts it); about this member itself it
 *   makes it refute.</li>
 *   <li>DEAD(i) applies to a live M when i is at least M's incarnation; from M itself it means LEFT.</li>
 *   <li>M held SUSPECT or DEAD in a push-pull state is suspected (a wrongly dead M then refutes), but with no
 *   accuser, since this member observed nothing: it confirms no suspicion here or where it is gossiped.</li>
 *   <li>A refutation is ALIVE at an incarnation above every accusation heard, gossiped like any update.</li>
 *   <li>A suspicion timer that runs out without independent confirmation first asks the suspect for its state a
 *   few times (Swimlog's addition): a refutation this member missed then arrives before it declares DEAD.</li>
 * </ul>
 * Invariants: every queued update describes the newest state known for its member; a member's id maps to one
 * slot of the {@link MemberTable} (members are ints here: a slot, {@link MemberTable#NONE} for none, and this
 * member is {@code self}); nothing holds a slot after its member is reclaimed, since the table gives it to the next
 * new member; the probe is in at most one phase (direct, indirect, finished) at a time.
 * <p>
 * Not thread safe: every method must be called on the member's one thread.
 */
public final class MembershipCore
{
    /**
     * Where the core reports changes, on the member's thread, in order.
     */
    public interface EventSink
    {
        void onMemberEvent(MembershipEventType type, String memberId, long incarnation, long nowNs);

        default void onBroadcast(
            final String fromMemberId, final DirectBuffer buffer, final int offset, final int length)
        {
        }

        default void onWarning(final String message)
        {
        }
    }

    /** Probes in a row answered only through others before a peer is reported as a one-way path. */
    static final int ONE_WAY_WARNING_THRESHOLD = 3;
    private static final int MAX_PENDING_INDIRECT = 64;
    private static final int MAX_PICKS = 16;
    private static final long RECLAIM_CHECK_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int FILTER_INDIRECT = 0;
    private static final int FILTER_GOSSIP = 1;
    private static final int FILTER_PUSH_PULL = 2;

    private final long probeIntervalNs;
    private final long probeTimeoutNs;
    private final long gossipIntervalNs;
    private final long pushPullIntervalNs;
    private final long gossipToTheDeadNs;
    private final long deadReclaimNs;
    private final long reconnectIntervalNs;
    private final int indirectChecks;
    private final int suspicionMult;
    private final int suspicionMaxTimeoutMult;
    private final int retransmitMult;
    private final int gossipNodes;
    private final int maxMetadataLength;
    private final int maxPayloadLength;
    private final List<String> seeds;

    private final Transport transport;
    private final PacketEnvelope envelope;
    private final MembershipCounters counters;
    private final EventSink sink;
    private final SplittableRandom random;
    private final MemberTable table = new MemberTable();
    private final int self;
    /** This member's id and endpoint as bytes: they never change for the life of a core. */
    private final byte[] selfIdBytes;
    private final byte[] selfEndpointBytes;
    private final UnsafeBuffer selfId;
    private final Awareness awareness;
    private final BroadcastQueue memberUpdates;
    private final BroadcastQueue userBroadcasts;
    private final IntArrayList suspects = new IntArrayList();
    private final IntArrayList deadMembers = new IntArrayList();
    private final int[] picks = new int[MAX_PICKS];
    private final Object2IntHashMap<String> liveSeedCache = new Object2IntHashMap<>(MemberTable.NONE);

    private final MessageCodec codec = new MessageCodec();
    private final MessageReader reader;
    private final MemberIdentities identities;
    private final Receiver receiver = new Receiver();
    private final UnsafeBuffer sendBuffer;
    private final UnsafeBuffer sealBuffer;
    private final UnsafeBuffer scratchBuffer;
    private final UnsafeBuffer probeTargetId = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer unattributedFrom = new UnsafeBuffer(0, 0);

    // Indirect probes this member runs for others (it is the middle of a ping-req).
    private final long[] pendingLocalSequence = new long[MAX_PENDING_INDIRECT];
    private final long[] pendingOriginSequence = new long[MAX_PENDING_INDIRECT];
    private final String[] pendingOrigin = new String[MAX_PENDING_INDIRECT];
    private final long[] pendingDeadlineNs = new long[MAX_PENDING_INDIRECT];
    private final boolean[] pendingWantNack = new boolean[MAX_PENDING_INDIRECT];
    private int pendingCount;

    private long nowNs;
    private long sequence;
    private long broadcastSequence;
    private long viewVersion;
    private int probeIndex;

    // The probe in flight.
    private boolean probing;
    private int probeTarget = MemberTable.NONE;
    private long probeSequence;
    private long probeAckDeadlineNs;
    private long probeEndNs;
    private boolean probeIndirectSent;
    private int probeExpectedNacks;
    private int probeNacks;

    private long nextProbeNs;
    private long nextGossipNs;
    private long nextPushPullNs;
    private long nextReconnectNs;
    private long nextReclaimNs;
    private long reconnectBroughtForwardNs = Long.MIN_VALUE / 2;
    /** Where the last reconnect request went: its whole-view answer is answered with this member's whole view. */
    private String reconnectEndpoint;

    private boolean started;
    private boolean joining;
    private long joinRetryNs;
    private long joinBackoffNs;
    private boolean leaving;
    private int leaveEntry = BroadcastQueue.NONE;
    private int leaveGeneration;
    private boolean leaveDone;

    /**
     * @param ctx      a concluded context: timings, ids, seeds and the transport.
     * @param envelope seals and opens datagrams (may be shared by members that run on one thread).
     * @param counters where this member counts what it does.
     * @param sink     receives events.
     */
    public MembershipCore(
        final MembershipContext ctx,
        final PacketEnvelope envelope,
        final MembershipCounters counters,
        final EventSink sink)
    {
        this(ctx, envelope, counters, sink, null);
    }

    /**
     * @param identities shared by the cores of one thread (the simulator), or null.
     */
    public MembershipCore(
        final MembershipContext ctx,
        final PacketEnvelope envelope,
        final MembershipCounters counters,
        final EventSink sink,
        final MemberIdentities identities)
    {
        this.identities = identities;
        probeIntervalNs = TimeUnit.MILLISECONDS.toNanos(ctx.probeIntervalMs());
        probeTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.probeTimeoutMs());
        gossipIntervalNs = TimeUnit.MILLISECONDS.toNanos(ctx.gossipIntervalMs());
        pushPullIntervalNs = TimeUnit.MILLISECONDS.toNanos(ctx.pushPullIntervalMs());
        gossipToTheDeadNs = TimeUnit.MILLISECONDS.toNanos(ctx.gossipToTheDeadTimeMs());
        deadReclaimNs = TimeUnit.MILLISECONDS.toNanos(ctx.deadReclaimTimeMs());
        reconnectIntervalNs = TimeUnit.MILLISECONDS.toNanos(ctx.reconnectIntervalMs());
        indirectChecks = Math.min(ctx.indirectChecks(), MAX_PICKS);
        suspicionMult = ctx.suspicionMult();
        suspicionMaxTimeoutMult = ctx.suspicionMaxTimeoutMult();
        retransmitMult = ctx.retransmitMult();
        gossipNodes = Math.min(ctx.gossipNodes(), MAX_PICKS);
        maxMetadataLength = ctx.maxMetadataLength();
        seeds = ctx.seeds();
        this.transport = ctx.transport();
        this.envelope = envelope;
        this.counters = counters;
        this.sink = sink;
        this.random = new SplittableRandom(ctx.randomSeed());
        this.awareness = new Awareness(ctx.awarenessMaxMultiplier());
        this.reader = new MessageReader(envelope, counters);
        memberUpdates = new BroadcastQueue(ctx.maxQueuedBroadcasts());
        userBroadcasts = new BroadcastQueue(ctx.maxQueuedBroadcasts());

        maxPayloadLength = ctx.maxDatagramLength() - envelope.overhead();
        sendBuffer = new UnsafeBuffer(new byte[maxPayloadLength]);
        scratchBuffer = new UnsafeBuffer(new byte[maxPayloadLength]);
        sealBuffer = new UnsafeBuffer(new byte[ctx.maxDatagramLength()]);

        final String selfEndpoint = transport.localEndpoint();
        final MemberIdentities.Identity selfIdentity = identities != null ?
            identities.intern(ctx.memberId(), selfEndpoint) :
            new MemberIdentities.Identity(ctx.memberId(), selfEndpoint);
        selfIdBytes = selfIdentity.idBytes;
        selfEndpointBytes = selfIdentity.endpointBytes;
        // Self is the table's first member, in slot 0 (the first add draws nothing from the random).
        self = table.add(selfIdentity, random);
        table.metadata(self, ctx.metadata().clone());
        // A new life starts above the previous one's incarnations (seconds since the epoch, as Cassandra's
        // generations), so a restarted member overrides its old entry at once instead of waiting to be refuted.
        table.incarnation(
            self, ctx.initialIncarnation() >= 0 ? ctx.initialIncarnation() : ctx.epochClock().time() / 1000);
        selfId = new UnsafeBuffer(selfIdBytes);
        if (MessageCodec.aliveLength(selfIdBytes.length, selfEndpointBytes.length, maxMetadataLength) >
            maxPayloadLength)
        {
            throw new IllegalArgumentException("metadata of up to " + maxMetadataLength + " bytes with member id '" +
                table.id(self) + "' and endpoint " + table.endpoint(self) + " does not fit one datagram");
        }
    }

    /**
     * Makes this member alive at its initial incarnation and, when there are seeds, starts joining through them.
     */
    public void start(final long nowNs)
    {
        begin(nowNs);
        queueAlive(self);

        // Spread the first probes of members started together over one interval.
        nextProbeNs = nowNs + (long)(random.nextDouble() * probeIntervalNs);
        nextGossipNs = nowNs + gossipIntervalNs;
        nextPushPullNs = nowNs + pushPullIntervalNs + (long)(random.nextDouble() * pushPullIntervalNs);
        nextReconnectNs = nowNs + reconnectIntervalNs;
        nextReclaimNs = nowNs + RECLAIM_CHECK_INTERVAL_NS;
        if (hasSeedsOtherThanSelf())
        {
            joining = true;
            joinBackoffNs = probeIntervalNs;
            sendJoin();
        }
    }

    /**
     * Starts this member as one of a cluster that has been running for a while: every other member of
     * {@code view} is ALIVE in this member's view from the start, at its incarnation and with its metadata (its
     * state in {@code view} is not read), with nothing queued to gossip about anyone, no join, and timers at random
     * points of their periods as in a cluster that has run for a while (the next push-pull anywhere in its
     * interval, scaled for the size of the view). Seeds are used only to reconnect.
     * <p>
     * For the simulator's large clusters, whose join through one seed is itself a storm (N full-state exchanges
     * and N^2 queued updates), so that steady state can be measured; and for restoring a view a member saved.
     * Members of {@code view} that this member hears newer news of later are updated by the usual rules.
     *
     * @param view the members of the running cluster; this member's own entry, if present, is skipped.
     */
    public void startInRunningCluster(final long nowNs, final List<Member> view)
    {
        begin(nowNs);
        table.ensureCapacity(view.size() + 1);
        final MemberIdentities.Identity[] viewIdentities = identities != null ? identities.internAll(view) : null;
        for (int i = 0, size = view.size(); i < size; i++)
        {
            final Member member = view.get(i);
            final MemberIdentities.Identity identity = viewIdentities != null ? viewIdentities[i] :
                new MemberIdentities.Identity(member.id(), member.endpoint());
            if (identity.idHash == table.identity(self).idHash && member.id().equals(table.id(self)))
            {
                continue;
            }
            if (viewIdentities == null && table.find(identity.idBytes) != MemberTable.NONE)
            {
                throw new IllegalArgumentException("member " + member.id() + " appears twice in the view");
            }
            final int r = table.add(identity, random);
            table.incarnation(r, member.incarnation());
            table.metadata(r, member.metadata().length == 0 ? MemberTable.EMPTY : member.metadata().clone());
            table.state(r, MemberState.ALIVE, nowNs);
            sink.onMemberEvent(MembershipEventType.JOINED, identity.id, member.incarnation(), nowNs);
        }
        viewVersion++;

        nextProbeNs = nowNs + (long)(random.nextDouble() * probeIntervalNs);
        nextGossipNs = nowNs + (long)(random.nextDouble() * gossipIntervalNs);
        nextPushPullNs = nowNs + (long)(random.nextDouble() * pushPullScale(pushPullIntervalNs, table.liveCount()));
        nextReconnectNs = nowNs + (long)(random.nextDouble() * reconnectIntervalNs);
        nextReclaimNs = nowNs + RECLAIM_CHECK_INTERVAL_NS;
    }

    private void begin(final long nowNs)
    {
        if (started)
        {
            throw new IllegalStateException("already started");
        }
        started = true;
        this.nowNs = nowNs;
        table.state(self, MemberState.ALIVE, nowNs);
        viewVersion++;
        sink.onMemberEvent(MembershipEventType.JOINED, table.id(self), table.incarnation(self), nowNs);
    }

    public String localMemberId()
    {
        return table.id(self);
    }

    public String localEndpoint()
    {
        return table.endpoint(self);
    }

    public long localIncarnation()
    {
        return table.incarnation(self);
    }

    public MembershipCounters counters()
    {
        return counters;
    }

    /**
     * Incremented on every change of the view: a cheap way for a reader to know a new snapshot is due.
     */
    public long viewVersion()
    {
        return viewVersion;
    }

    /**
     * Members ALIVE or SUSPECT in this member's view, itself included.
     */
    public int liveMemberCount()
    {
        return table.liveCount();
    }

    public int knownMemberCount()
    {
        return table.size();
    }

    /**
     * Updates and user broadcasts waiting to be piggybacked.
     */
    public int queuedBroadcasts()
    {
        return memberUpdates.size() + userBroadcasts.size();
    }

    public int healthScore()
    {
        return awareness.score();
    }

    public boolean isJoining()
    {
        return joining;
    }

    public List<Member> members()
    {
        final ArrayList<Member> list = new ArrayList<>(table.size());
        for (int i = 0, size = table.size(); i < size; i++)
        {
            list.add(table.snapshot(table.slotAt(i)));
        }
        return list;
    }

    /**
     * This member's view of one member, or null when it does not know it.
     */
    public Member member(final String memberId)
    {
        final int member = table.find(memberId);
        return member == MemberTable.NONE ? null : table.snapshot(member);
    }

    /**
     * State of a member in this view, or null when unknown; allocation free.
     */
    public MemberState stateOf(final String memberId)
    {
        final int member = table.find(memberId);
        return member == MemberTable.NONE ? null : table.state(member);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Commands from the application
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Publishes new metadata as a new incarnation of this member.
     */
    public void updateMetadata(final byte[] metadata)
    {
        if (metadata.length > maxMetadataLength)
        {
            throw new IllegalArgumentException(
                "metadata of " + metadata.length + " bytes exceeds maxMetadataLength " + maxMetadataLength);
        }
        if (leaving)
        {
            return;
        }
        table.metadata(self, metadata.clone());
        table.incarnation(self, table.incarnation(self) + 1);
        queueAlive(self);
        viewVersion++;
        sink.onMemberEvent(MembershipEventType.UPDATED, table.id(self), table.incarnation(self), nowNs);
    }

    /**
     * Replaces the keys of an encrypted member (rotation), and of any member sharing its envelope. Every keyring
     * adds the same overhead, so the datagram budget computed at start still holds.
     */
    public void keyring(final Keyring keyring)
    {
        envelope.keyring(keyring);
    }

    /**
     * Gossips an application payload to every member, each receiving it once.
     */
    public void broadcast(final DirectBuffer buffer, final int offset, final int length)
    {
        final int max = maxPayloadLength - MessageCodec.ACK_LENGTH -
            MessageCodec.userBroadcastLength(selfIdBytes.length, 0);
        if (length > max)
        {
            throw new IllegalArgumentException(
                "broadcast of " + length + " bytes does not fit one datagram (at most " + max + " bytes)");
        }
        final int written = codec.userBroadcast(
            scratchBuffer, 0, ++broadcastSequence, selfIdBytes, buffer, offset, length);
        userBroadcasts.add(MemberTable.NONE, scratchBuffer, 0, written);
    }

    /**
     * Starts a graceful leave: this member is LEFT from now on, tells the others and stops probing.
     */
    public void leave()
    {
        if (leaving || !started)
        {
            return;
        }
        leaving = true;
        probing = false;
        table.suspicion(self, null);
        table.state(self, MemberState.LEFT, nowNs);
        viewVersion++;
        final int written = codec.dead(
            scratchBuffer, 0, table.incarnation(self), selfIdBytes, selfId, 0, selfIdBytes.length);
        // No owner: the leave must not replace a metadata update still on its way out (it would be lost).
        leaveEntry = memberUpdates.add(MemberTable.NONE, scratchBuffer, 0, written);
        leaveGeneration = memberUpdates.generation(leaveEntry);
        sink.onMemberEvent(MembershipEventType.LEFT, table.id(self), table.incarnation(self), nowNs);
        if (table.liveCount() == 0)
        {
            leaveDone = true;
        }
        else
        {
            gossip();
        }
    }

    /**
     * True once the leave message has been gossiped its full number of times (or there was nobody to tell).
     */
    public boolean hasLeft()
    {
        return leaveDone ||
            (leaveEntry != BroadcastQueue.NONE && memberUpdates.generation(leaveEntry) != leaveGeneration);
    }

    public boolean isLeaving()
    {
        return leaving;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Time
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Sets the time used by the datagrams delivered next (read once per duty cycle).
     */
    public void now(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    /**
     * Runs whatever is due at {@code nowNs}: probe phases, suspicion timers, gossip, push-pull, join retries,
     * reconnects and reclaims.
     *
     * @return work done, for the idle strategy.
     */
    public int onTimers(final long nowNs)
    {
        this.nowNs = nowNs;
        int work = 0;
        // Drops happen as updates arrive; counting them once a cycle keeps the receive path free of it.
        counters.set(Counter.BROADCASTS_DROPPED, memberUpdates.evictions() + userBroadcasts.evictions());

        if (probing)
        {
            if (!probeIndirectSent && nowNs >= probeAckDeadlineNs)
            {
                sendIndirectProbes();
                work++;
            }
            if (nowNs >= probeEndNs)
            {
                probeFailed();
                work++;
            }
        }
        if (!probing && !leaving && nowNs >= nextProbeNs)
        {
            startProbe();
            work++;
        }
        if (pendingCount > 0)
        {
            work += expirePendingIndirect();
        }
        if (!suspects.isEmpty())
        {
            work += expireSuspicions();
        }
        if (nowNs >= nextGossipNs)
        {
            nextGossipNs = nextTick(nextGossipNs, gossipIntervalNs, nowNs);
            work += gossip();
        }
        if (nowNs >= nextPushPullNs)
        {
            nextPushPullNs = nowNs + pushPullScale(pushPullIntervalNs, table.liveCount());
            if (!leaving)
            {
                work += pushPull();
            }
        }
        if (joining && nowNs >= joinRetryNs)
        {
            sendJoin();
            work++;
        }
        if (nowNs >= nextReconnectNs)
        {
            nextReconnectNs = nowNs + reconnectIntervalNs;
            if (!leaving && !joining)
            {
                work += reconnect();
            }
        }
        if (nowNs >= nextReclaimNs)
        {
            nextReclaimNs = nowNs + RECLAIM_CHECK_INTERVAL_NS;
            work += reclaim();
        }
        return work;
    }

    /**
     * The earliest time at which {@link #onTimers(long)} has something to do; the simulator sleeps until then.
     */
    public long nextDeadlineNs()
    {
        long deadline = nextPushPullNs;
        deadline = Math.min(deadline, nextReconnectNs);
        if (!deadMembers.isEmpty())
        {
            deadline = Math.min(deadline, nextReclaimNs);
        }
        if (probing)
        {
            deadline = Math.min(deadline, probeIndirectSent ? probeEndNs : probeAckDeadlineNs);
        }
        else if (!leaving)
        {
            deadline = Math.min(deadline, nextProbeNs);
        }
        if (!memberUpdates.isEmpty() || !userBroadcasts.isEmpty())
        {
            deadline = Math.min(deadline, nextGossipNs);
        }
        if (joining)
        {
            deadline = Math.min(deadline, joinRetryNs);
        }
        for (int i = 0; i < pendingCount; i++)
        {
            deadline = Math.min(deadline, pendingDeadlineNs[i]);
        }
        for (int i = 0, size = suspects.size(); i < size; i++)
        {
            final Suspicion suspicion = table.suspicion(suspects.getInt(i));
            if (suspicion != null)
            {
                deadline = Math.min(deadline, suspicion.deadlineNs());
            }
        }
        return deadline;
    }

    /**
     * The tick after {@code previousTick}, or one interval from now when ticks were skipped (nothing to gossip),
     * so a member that slept does not burst.
     */
    private static long nextTick(final long previousTick, final long interval, final long nowNs)
    {
        final long next = previousTick + interval;
        return next > nowNs ? next : nowNs + interval;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Probing
    // ------------------------------------------------------------------------------------------------------------

    private void startProbe()
    {
        final int target = nextProbeTarget();
        final long interval = awareness.scaleTimeout(probeIntervalNs);
        nextProbeNs = Math.max(nextProbeNs + probeIntervalNs, nowNs + interval);
        if (target == MemberTable.NONE)
        {
            nextProbeNs = nowNs + probeIntervalNs;
            return;
        }

        probing = true;
        probeTarget = target;
        probeTargetId.wrap(table.idBytes(target));
        probeSequence = ++sequence;
        probeAckDeadlineNs = nowNs + awareness.scaleTimeout(probeTimeoutNs);
        probeEndNs = nowNs + interval;
        probeIndirectSent = false;
        probeExpectedNacks = 0;
        probeNacks = 0;
        counters.increment(Counter.PROBES);
        sendPing(target);
    }

    /**
     * Pings the probe's target under the probe's sequence number, so that an ack to any ping of this probe ends it.
     */
    private void sendPing(final int target)
    {
        int length = codec.ping(
            sendBuffer, 0, probeSequence, probeTargetId, 0, table.idBytes(target).length,
            selfIdBytes, selfEndpointBytes);
        if (table.state(target) == MemberState.SUSPECT)
        {
            // The buddy system: a suspect hears of its suspicion from the member probing it, first thing.
            length += codec.suspect(
                sendBuffer, length, table.incarnation(target), table.idBytes(target), selfId, 0, selfIdBytes.length);
        }
        send(table.endpoint(target), piggyback(length));
    }

    private int nextProbeTarget()
    {
        for (int tries = 0, size = table.size(); tries < size; tries++)
        {
            if (probeIndex >= table.size())
            {
                table.shuffle(random);
                probeIndex = 0;
            }
            final int candidate = table.slotAt(probeIndex++);
            if (candidate != self && !table.state(candidate).isDeadOrLeft())
            {
                return candidate;
            }
        }
        return MemberTable.NONE;
    }

    /**
     * No ack within the probe timeout: ask {@code indirectChecks} others to ping the target, and ping it once more
     * directly, the counterpart of memberlist's TCP fallback ping. A lost ping or ack (1 - (1 - p)^2 of probes at
     * loss p) no longer leaves only the indirect paths, each of four datagrams, to save the target from suspicion:
     * at 10% loss the probes that fail drop from 0.78% to 0.15%. It costs one datagram when a probe is already in
     * trouble and nothing otherwise. It carries the probe's sequence number, so an ack to either ping ends the probe,
     * and it counts as a direct answer (the path works both ways), but one that came late: as for a late ack to the
     * first ping, the health score does not improve, and nacks are counted as before.
     */
    private void sendIndirectProbes()
    {
        probeIndirectSent = true;
        final int target = probeTarget;
        final int count = pickRandom(indirectChecks, FILTER_INDIRECT, target);
        for (int i = 0; i < count; i++)
        {
            final int length = codec.indirectPing(
                sendBuffer, 0, probeSequence, true, table.idBytes(target), table.endpointBytes(target),
                selfIdBytes, selfEndpointBytes);
            send(table.endpoint(picks[i]), piggyback(length));
            picks[i] = MemberTable.NONE;
        }
        probeExpectedNacks = count;
        sendPing(target);
    }

    private void onProbeAck(final boolean forwarded)
    {
        final int target = probeTarget;
        probing = false;
        probeTarget = MemberTable.NONE;
        if (!forwarded)
        {
            if (!probeIndirectSent)
            {
                awareness.applyDelta(-1);
                counters.set(Counter.HEALTH_SCORE, awareness.score());
            }
            table.resetOneWay(target);
        }
        else if (table.countIndirectOnlyProbe(target) >= ONE_WAY_WARNING_THRESHOLD && !table.oneWayWarned(target))
        {
            table.markOneWayWarned(target);
            counters.increment(Counter.ONE_WAY_WARNINGS);
            sink.onWarning("member " + table.id(target) + " at " + table.endpoint(target) +
                " answers only indirect probes (" +
                table.indirectOnlyProbes(target) + " in a row): datagrams between it and " + table.id(self) + " at " +
                table.endpoint(self) + " are lost in at least one direction");
        }
    }

    private void probeFailed()
    {
        final int target = probeTarget;
        probing = false;
        probeTarget = MemberTable.NONE;
        // Lifeguard: missing nacks mean this member may be the one that cannot hear; with no one to ask,
        // every failed probe counts against it.
        final int delta = probeExpectedNacks > 0 ? Math.max(0, probeExpectedNacks - probeNacks) : 1;
        awareness.applyDelta(delta);
        counters.set(Counter.HEALTH_SCORE, awareness.score());
        if (!table.state(target).isDeadOrLeft())
        {
            applySuspect(target, table.incarnation(target), self, selfId, 0, selfIdBytes.length);
        }
    }

    private int expirePendingIndirect()
    {
        int work = 0;
        for (int i = pendingCount - 1; i >= 0; i--)
        {
            if (nowNs >= pendingDeadlineNs[i])
            {
                if (pendingWantNack[i])
                {
                    final int length = codec.nack(sendBuffer, 0, pendingOriginSequence[i]);
                    send(pendingOrigin[i], piggyback(length));
                }
                removePending(i);
                work++;
            }
        }
        return work;
    }

    private void removePending(final int i)
    {
        final int last = --pendingCount;
        pendingLocalSequence[i] = pendingLocalSequence[last];
        pendingOriginSequence[i] = pendingOriginSequence[last];
        pendingOrigin[i] = pendingOrigin[last];
        pendingDeadlineNs[i] = pendingDeadlineNs[last];
        pendingWantNack[i] = pendingWantNack[last];
        pendingOrigin[last] = null;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Suspicion, death, reclaim
    // ------------------------------------------------------------------------------------------------------------

    private int expireSuspicions()
    {
        int work = 0;
        for (int i = suspects.size() - 1; i >= 0; i--)
        {
            final int member = suspects.getInt(i);
            final Suspicion suspicion = table.suspicion(member);
            if (suspicion == null || table.state(member) != MemberState.SUSPECT)
            {
                table.suspicion(member, null);
                removeAt(suspects, i);
            }
            else if (nowNs >= suspicion.deadlineNs())
            {
                if (suspicion.deservesLastChance())
                {
                    // Swimlog's addition to memberlist: an unconfirmed suspicion may only mean this member missed
                    // the refutation, or the suspect never heard of it (epidemics miss a member now and then under
                    // loss). Tell the suspect it is suspected and ask for its own newest state, once a period a few
                    // times; only silence to all makes it dead. Its own entry is all that can refute, and at 10,000
                    // members its whole view is ~290 datagrams, which under loss thousands of members with missed
                    // refutations would ask for at once.
                    suspicion.takeLastChance(nowNs + awareness.scaleTimeout(probeIntervalNs));
                    sendSelf(table.endpoint(member), false, true, member);
                    work++;
                    continue;
                }
                removeAt(suspects, i);
                applyDead(member, table.incarnation(member), false, selfId, 0, selfIdBytes.length);
                work++;
            }
        }
        return work;
    }

    private int reclaim()
    {
        int work = 0;
        for (int i = deadMembers.size() - 1; i >= 0; i--)
        {
            final int member = deadMembers.getInt(i);
            if (!table.state(member).isDeadOrLeft())
            {
                removeAt(deadMembers, i);
            }
            else if (nowNs - table.deadSinceNs(member) >= deadReclaimNs && !(probing && member == probeTarget))
            {
                // The slot goes back to the table for the next new member: nothing may hold it after this.
                removeAt(deadMembers, i);
                suspects.fastUnorderedRemoveInt(member);
                memberUpdates.disown(member);
                table.remove(member);
                viewVersion++;
                work++;
            }
        }
        return work;
    }

    private static void removeAt(final IntArrayList list, final int i)
    {
        list.fastUnorderedRemove(i);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Dissemination: gossip, push-pull, join, reconnect
    // ------------------------------------------------------------------------------------------------------------

    private int gossip()
    {
        if (memberUpdates.isEmpty() && userBroadcasts.isEmpty())
        {
            return 0;
        }
        final int count = pickRandom(gossipNodes, FILTER_GOSSIP, MemberTable.NONE);
        int work = 0;
        for (int i = 0; i < count; i++)
        {
            final int target = picks[i];
            picks[i] = MemberTable.NONE;
            final int length = piggyback(0);
            if (length > 0)
            {
                send(table.endpoint(target), length);
                work++;
            }
        }
        return work;
    }

    private int pushPull()
    {
        final int count = pickRandom(1, FILTER_PUSH_PULL, MemberTable.NONE);
        if (count == 0)
        {
            return 0;
        }
        final int target = picks[0];
        picks[0] = MemberTable.NONE;
        sendState(table.endpoint(target), false, false);
        return 1;
    }

    private void sendJoin()
    {
        for (final String seed : seeds)
        {
            if (!seed.equals(table.endpoint(self)))
            {
                sendState(seed, false, true);
            }
        }
        joinRetryNs = nowNs + joinBackoffNs;
        joinBackoffNs = Math.min(joinBackoffNs * 2, 32 * probeIntervalNs);
    }

    private boolean hasSeedsOtherThanSelf()
    {
        for (final String seed : seeds)
        {
            if (!seed.equals(table.endpoint(self)))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Asks a member declared dead recently, or a seed that is not in the view, for a full-state exchange, so that
     * the two sides of a healed partition find each other again.
     */
    private int reconnect()
    {
        int candidates = 0;
        for (int i = 0, size = deadMembers.size(); i < size; i++)
        {
            if (table.state(deadMembers.getInt(i)) == MemberState.DEAD)
            {
                candidates++;
            }
        }
        int absentSeeds = 0;
        for (final String seed : seeds)
        {
            if (!seed.equals(table.endpoint(self)) && !isLiveEndpoint(seed))
            {
                absentSeeds++;
            }
        }
        if (candidates + absentSeeds == 0)
        {
            return 0;
        }
        // As Serf's reconnect: the cluster as a whole tries about once per interval per missing member, not every
        // member every interval.
        final double probability = Math.min(1.0, (candidates + absentSeeds) / (double)Math.max(1, table.liveCount()));
        if (random.nextDouble() >= probability)
        {
            return 0;
        }
        int choice = random.nextInt(candidates + absentSeeds);
        for (int i = 0, size = deadMembers.size(); i < size; i++)
        {
            final int member = deadMembers.getInt(i);
            if (table.state(member) == MemberState.DEAD && choice-- == 0)
            {
                reconnectEndpoint = table.endpoint(member);
                sendSelf(reconnectEndpoint, false, false, member);
                return 1;
            }
        }
        for (final String seed : seeds)
        {
            if (!seed.equals(table.endpoint(self)) && !isLiveEndpoint(seed) && choice-- == 0)
            {
                reconnectEndpoint = seed;
                sendSelf(seed, false, false, MemberTable.NONE);
                return 1;
            }
        }
        return 0;
    }

    /**
     * A member held dead is alive again: a partition may have healed, and the rest of its side is still held dead
     * here until a reconnect reaches one of them. The next reconnect comes within a probe interval instead of a
     * reconnect interval; at most once per reconnect interval, so a heal of thousands of members at most doubles
     * the reconnect rate (each reconnect to a live member is two whole views).
     */
    private void reconnectSoon()
    {
        if (nowNs - reconnectBroughtForwardNs >= reconnectIntervalNs)
        {
            reconnectBroughtForwardNs = nowNs;
            nextReconnectNs = Math.min(nextReconnectNs, nowNs + (long)(random.nextDouble() * probeIntervalNs));
        }
    }

    /**
     * Whether a live member is at the seed's endpoint. The member found last time is checked first, so in steady
     * state this costs nothing per reconnect tick even in a cluster of ten thousand.
     */
    private boolean isLiveEndpoint(final String endpoint)
    {
        final int cached = liveSeedCache.getValue(endpoint);
        if (cached != MemberTable.NONE && !table.state(cached).isDeadOrLeft() &&
            table.endpoint(cached).equals(endpoint))
        {
            return true;
        }
        for (int i = 0, size = table.size(); i < size; i++)
        {
            final int member = table.slotAt(i);
            if (!table.state(member).isDeadOrLeft() && table.endpoint(member).equals(endpoint))
            {
                liveSeedCache.put(endpoint, member);
                return true;
            }
        }
        return false;
    }

    /**
     * A push-pull carrying only this member, and in a request also the responder's entry as this member holds it:
     * one small datagram. As a request ({@code reply} false) a member on the far side of a healed partition answers
     * it with its whole view, or with only its own entry when {@code selfOnly} (a suspect's last chance), while it
     * costs nothing much when the target really is dead; as a reply, it is that own-entry answer.
     * <p>
     * The responder's entry is what lets both sides of a heal agree in one exchange: the responder learns that it is
     * held dead (or suspect), refutes before it answers, and the answer carries the new incarnation, which overrides
     * the death here. Without it the responder would answer at the incarnation this member holds dead, the answer
     * would change nothing, and the two would have to reconnect to each other by chance.
     *
     * @param about the member at {@code endpoint} whose entry goes with a request, or {@link MemberTable#NONE}.
     */
    private void sendSelf(final String endpoint, final boolean reply, final boolean selfOnly, final int about)
    {
        counters.increment(Counter.PUSH_PULLS);
        codec.pushPullBegin(sendBuffer, 0, reply, false, selfOnly, 0, about == MemberTable.NONE ? 1 : 2);
        codec.pushPullMember(
            table.incarnation(self), stateCode(table.state(self)), selfIdBytes, selfEndpointBytes,
            table.metadata(self));
        if (about != MemberTable.NONE)
        {
            codec.pushPullMember(
                table.incarnation(about), stateCode(table.state(about)), table.idBytes(about),
                table.endpointBytes(about), table.metadata(about));
        }
        send(endpoint, codec.pushPullEnd(selfIdBytes, selfEndpointBytes));
    }

    /**
     * Sends this member's whole view, in as many datagrams as it takes.
     */
    private void sendState(final String endpoint, final boolean reply, final boolean join)
    {
        counters.increment(Counter.PUSH_PULLS);
        final int budget = maxPayloadLength - MessageCodec.PUSH_PULL_BASE_LENGTH - selfIdBytes.length -
            selfEndpointBytes.length;
        final int size = table.size();
        int selfIndex = 0;
        while (selfIndex < size && table.slotAt(selfIndex) != self)
        {
            selfIndex++;
        }
        int next = 0;
        int chunk = 0;
        do
        {
            int count = 0;
            int used = 0;
            for (int v = next; v < size; v++)
            {
                final int r = stateEntry(v, selfIndex);
                final int entry = MessageCodec.pushPullMemberLength(
                    table.idBytes(r).length, table.endpointBytes(r).length, table.metadata(r).length);
                if (used + entry > budget)
                {
                    break;
                }
                used += entry;
                count++;
            }
            if (count == 0)
            {
                next++; // cannot happen with validated sizes; never loop forever on a member too big to send
                continue;
            }
            codec.pushPullBegin(sendBuffer, 0, reply, join, chunk++, count);
            for (int v = next; v < next + count; v++)
            {
                final int r = stateEntry(v, selfIndex);
                codec.pushPullMember(table.incarnation(r), stateCode(table.state(r)), table.idBytes(r),
                    table.endpointBytes(r), table.metadata(r));
            }
            next += count;
            send(endpoint, codec.pushPullEnd(selfIdBytes, selfEndpointBytes));
        }
        while (next < size);
    }

    /**
     * The {@code v}-th entry of a state exchange: this member first (its own newest incarnation is what a member
     * asking after a suspicion needs most), then the rest of the table.
     */
    private int stateEntry(final int v, final int selfIndex)
    {
        if (v == 0)
        {
            return self;
        }
        return table.slotAt(v - 1 < selfIndex ? v - 1 : v);
    }

    private static MemberStateCode stateCode(final MemberState state)
    {
        switch (state)
        {
            case ALIVE:
                return MemberStateCode.ALIVE;
            case SUSPECT:
                return MemberStateCode.SUSPECT;
            case DEAD:
                return MemberStateCode.DEAD;
            default:
                return MemberStateCode.LEFT;
        }
    }

    /**
     * Picks up to {@code k} distinct random members passing a filter into {@link #picks}.
     */
    private int pickRandom(final int k, final int filter, final int exclude)
    {
        final int size = table.size();
        int count = 0;
        for (int tries = 0, maxTries = 3 * size; tries < maxTries && count < k; tries++)
        {
            final int r = table.slotAt(random.nextInt(size));
            if (r == self || r == exclude || !accept(r, filter))
            {
                continue;
            }
            boolean duplicate = false;
            for (int j = 0; j < count; j++)
            {
                if (picks[j] == r)
                {
                    duplicate = true;
                    break;
                }
            }
            if (!duplicate)
            {
                picks[count++] = r;
            }
        }
        return count;
    }

    private boolean accept(final int r, final int filter)
    {
        switch (filter)
        {
            case FILTER_INDIRECT:
            case FILTER_PUSH_PULL:
                return table.state(r) == MemberState.ALIVE;
            default:
                return table.state(r) == MemberState.ALIVE || table.state(r) == MemberState.SUSPECT ||
                    (table.state(r) == MemberState.DEAD && nowNs - table.deadSinceNs(r) < gossipToTheDeadNs);
        }
    }

    /**
     * memberlist's push-pull scaling: beyond 32 members the interval grows with log2(n), so the cost of full
     * exchanges stays flat as the cluster grows.
     */
    static long pushPullScale(final long interval, final int n)
    {
        if (n <= 32)
        {
            return interval;
        }
        final double multiplier = Math.ceil(Math.log(n) / Math.log(2) - Math.log(32) / Math.log(2)) + 1.0;
        return (long)(multiplier * interval);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Sending
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Appends queued updates after {@code offset} bytes of {@link #sendBuffer}. User broadcasts get a reserved third
     * of the room first, so churn in member states cannot starve them, and whatever room is left after the member
     * updates.
     *
     * @return the datagram payload length.
     */
    private int piggyback(final int offset)
    {
        final int room = maxPayloadLength - offset;
        if (room <= 0 || (memberUpdates.isEmpty() && userBroadcasts.isEmpty()))
        {
            return offset;
        }
        final int limit = BroadcastQueue.retransmitLimit(retransmitMult, table.liveCount());
        int written = userBroadcasts.fill(sendBuffer, offset, room / 3, limit);
        written += memberUpdates.fill(sendBuffer, offset + written, room - written, limit);
        written += userBroadcasts.fill(sendBuffer, offset + written, room - written, limit);
        return offset + written;
    }

    private void send(final String endpoint, final int payloadLength)
    {
        final int length = envelope.seal(sendBuffer, 0, payloadLength, sealBuffer, 0);
        if (transport.send(endpoint, sealBuffer, 0, length))
        {
            counters.increment(Counter.MESSAGES_OUT);
            counters.add(Counter.BYTES_OUT, length);
        }
        else
        {
            counters.increment(Counter.SEND_FAILURES);
        }
    }

    private void queueAlive(final int r)
    {
        final int length = codec.alive(
            scratchBuffer, 0, table.incarnation(r), table.idBytes(r), table.endpointBytes(r), table.metadata(r));
        memberUpdates.add(r, scratchBuffer, 0, length);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Receiving
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Handles one received datagram: opens the envelope, then each message in it (see {@link MessageReader}).
     * Anything malformed is counted and dropped; nothing received can stop the member.
     */
    public void onDatagram(final DirectBuffer buffer, final int offset, final int length)
    {
        reader.read(buffer, offset, length, receiver);
    }

    /**
     * What the core does with each message a {@link MessageReader} decodes.
     */
    private final class Receiver implements MessageReader.Handler
    {
        public void onPing(
            final long sequence,
            final DirectBuffer targetId,
            final DirectBuffer sourceId,
            final DirectBuffer sourceEndpoint)
        {
            if (!sameBytes(selfIdBytes, targetId))
            {
                return; // meant for a member that used to be at this endpoint: acking would vouch for it wrongly
            }
            send(endpointOf(sourceId, sourceEndpoint), piggyback(codec.ack(sendBuffer, 0, sequence, false)));
        }

        public void onIndirectPing(
            final long sequence,
            final boolean wantNack,
            final DirectBuffer targetId,
            final DirectBuffer targetEndpoint,
            final DirectBuffer sourceId,
            final DirectBuffer sourceEndpoint)
        {
            counters.increment(Counter.INDIRECT_PROBES);
            if (pendingCount == MAX_PENDING_INDIRECT)
            {
                return; // overloaded: the requester hears nothing, which costs it a little health, not us
            }
            final String origin = endpointOf(sourceId, sourceEndpoint);
            final String target = endpointOf(targetId, targetEndpoint);
            final long localSequence = ++MembershipCore.this.sequence;
            final int i = pendingCount++;
            pendingLocalSequence[i] = localSequence;
            pendingOriginSequence[i] = sequence;
            pendingOrigin[i] = origin;
            pendingWantNack[i] = wantNack;
            // Lifeguard: nack at 80% of the timeout so that it reaches the requester before its probe period ends.
            pendingDeadlineNs[i] = nowNs + (probeTimeoutNs * 4) / 5;
            final int length = codec.ping(
                sendBuffer, 0, localSequence, targetId, 0, targetId.capacity(), selfIdBytes, selfEndpointBytes);
            send(target, piggyback(length));
        }

        public void onAck(final long sequence, final boolean forwarded)
        {
            counters.increment(Counter.ACKS);
            if (probing && sequence == probeSequence)
            {
                onProbeAck(forwarded);
                return;
            }
            for (int i = 0; i < pendingCount; i++)
            {
                if (pendingLocalSequence[i] == sequence)
                {
                    send(pendingOrigin[i], piggyback(codec.ack(sendBuffer, 0, pendingOriginSequence[i], true)));
                    removePending(i);
                    return;
                }
            }
        }

        public void onNack(final long sequence)
        {
            counters.increment(Counter.NACKS);
            if (probing && sequence == probeSequence)
            {
                probeNacks++;
            }
        }

        public void onAlive(
            final long incarnation,
            final DirectBuffer memberId,
            final DirectBuffer endpoint,
            final DirectBuffer metadata)
        {
            aliveNode(incarnation, memberId, endpoint, metadata);
        }

        public void onSuspect(final long incarnation, final DirectBuffer memberId, final DirectBuffer fromId)
        {
            suspectNode(incarnation, memberId, fromId);
        }

        public void onDead(final long incarnation, final DirectBuffer memberId, final DirectBuffer fromId)
        {
            deadNode(incarnation, memberId, fromId);
        }

        public void onPushPullMember(
            final long incarnation,
            final MemberStateCode state,
            final DirectBuffer memberId,
            final DirectBuffer endpoint,
            final DirectBuffer metadata)
        {
            switch (state)
            {
                case ALIVE:
                    aliveNode(incarnation, memberId, endpoint, metadata);
                    break;
                case LEFT:
                    deadNode(incarnation, memberId, memberId);
                    break;
                default:
                    // memberlist: prefer suspecting over believing a remote death, so a wrongly dead member refutes.
                    suspectFromState(incarnation, memberId);
                    break;
            }
        }

        public void onPushPullEnd(
            final boolean reply,
            final boolean selfOnly,
            final int chunkIndex,
            final DirectBuffer sourceId,
            final DirectBuffer sourceEndpoint)
        {
            if (reply)
            {
                if (!selfOnly)
                {
                    joining = false; // only a whole view ends a join
                    if (chunkIndex == 0 && reconnectEndpoint != null &&
                        reconnectEndpoint.equals(endpointOf(sourceId, sourceEndpoint)))
                    {
                        // The far side of a healed partition answered: it has this side's view of it only through
                        // this member's own entry, and still holds the rest of this side dead at incarnations no
                        // entry of theirs can override. Push the whole view back (as a reply: nothing answers it),
                        // so that it suspects what this side holds dead of its own, and those members refute.
                        // Together with its answer this is Serf's reconnect, a full two-way exchange, paid for
                        // only when the far side turns out to be alive.
                        reconnectEndpoint = null;
                        sendState(endpointOf(sourceId, sourceEndpoint), true, false);
                    }
                }
            }
            else if (selfOnly)
            {
                sendSelf(endpointOf(sourceId, sourceEndpoint), true, true, MemberTable.NONE);
            }
            else if (chunkIndex == 0)
            {
                sendState(endpointOf(sourceId, sourceEndpoint), true, false);
            }
        }

        public void onUserBroadcast(
            final long sequence,
            final DirectBuffer originId,
            final DirectBuffer payload,
            final DirectBuffer message,
            final int offset,
            final int length)
        {
            final int origin = table.find(originId, 0, originId.capacity());
            if (origin == MemberTable.NONE || origin == self || !table.markBroadcastSeen(origin, sequence))
            {
                return;
            }
            counters.increment(Counter.BROADCASTS_RECEIVED);
            userBroadcasts.add(MemberTable.NONE, message, offset, length);
            sink.onBroadcast(table.id(origin), payload, 0, payload.capacity());
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // State rules
    // ------------------------------------------------------------------------------------------------------------

    private void aliveNode(
        final long incarnation, final DirectBuffer id, final DirectBuffer endpoint, final DirectBuffer metadata)
    {
        int r = table.find(id, 0, id.capacity());
        if (r == self && leaving)
        {
            return;
        }
        boolean isNew = false;
        boolean endpointChanged = false;
        if (r == MemberTable.NONE)
        {
            r = table.add(identities != null ? identities.intern(id, endpoint) :
                new MemberIdentities.Identity(string(id), string(endpoint)), random);
            isNew = true;
        }
        else if (!sameBytes(table.endpointBytes(r), endpoint))
        {
            if (r != self && table.state(r).isDeadOrLeft())
            {
                endpointChanged = true; // a restarted member at a new endpoint reclaims its id
            }
            else if (r != self)
            {
                counters.increment(Counter.CONFLICTS);
                return;
            }
        }

        if (r == self)
        {
            if (incarnation < table.incarnation(self) ||
                (incarnation == table.incarnation(self) && sameBytes(table.metadata(self), metadata) &&
                sameBytes(selfEndpointBytes, endpoint)))
            {
                return;
            }
            refute(incarnation);
            return;
        }
        if (!isNew && !endpointChanged && incarnation <= table.incarnation(r))
        {
            return;
        }

        final MemberState oldState = table.state(r);
        final boolean metadataChanged = !sameBytes(table.metadata(r), metadata);
        if (endpointChanged)
        {
            table.identity(r, identities != null ? identities.intern(id, endpoint) :
                new MemberIdentities.Identity(table.id(r), string(endpoint)));
        }
        if (metadataChanged)
        {
            table.metadata(r, bytes(metadata));
        }
        table.incarnation(r, incarnation);
        table.suspicion(r, null);
        table.state(r, MemberState.ALIVE, nowNs);
        queueAlive(r);
        viewVersion++;
        if (isNew || oldState.isDeadOrLeft())
        {
            if (oldState == MemberState.DEAD && !isNew)
            {
                reconnectSoon();
            }
            sink.onMemberEvent(MembershipEventType.JOINED, table.id(r), incarnation, nowNs);
        }
        else
        {
            if (oldState == MemberState.SUSPECT)
            {
                sink.onMemberEvent(MembershipEventType.ALIVE, table.id(r), incarnation, nowNs);
            }
            if (metadataChanged || endpointChanged)
            {
                sink.onMemberEvent(MembershipEventType.UPDATED, table.id(r), incarnation, nowNs);
            }
        }
    }

    private void suspectNode(final long incarnation, final DirectBuffer id, final DirectBuffer from)
    {
        final int r = table.find(id, 0, id.capacity());
        if (r == MemberTable.NONE)
        {
            return;
        }
        final int accuser = from == selfId ? self : table.find(from, 0, from.capacity());
        // A suspicion "from" the suspect itself has no accuser (see suspectFromState): it confirms nothing.
        applySuspect(r, incarnation, accuser == r ? MemberTable.NONE : accuser, from, 0, from.capacity());
    }

    /**
     * A push-pull state holds a member SUSPECT or DEAD. memberlist suspects it, so that a wrongly dead member hears
     * of it and refutes, naming this member as the accuser. But this member observed nothing: it only heard, and a
     * state entry does not say from whom. Named as the accuser, every push-pull during a suspicion's life would be an
     * independent confirmation, here and wherever the suspicion is gossiped, against Lifeguard's meaning of
     * confirmations (members that each failed to probe the suspect). At 10% loss in clusters of thousands, false
     * suspicions of live members were confirmed this way and ran out at the minimum timeout, without the last chance
     * an unconfirmed one gets, at every member the refutation had not yet reached. So the suspicion is raised and
     * gossiped as memberlist does, but without an accuser: the suspect message names the suspect itself as its
     * sender, which no member can be about itself, and which {@link #suspectNode} reads as no accuser.
     */
    private void suspectFromState(final long incarnation, final DirectBuffer id)
    {
        final int r = table.find(id, 0, id.capacity());
        if (r == MemberTable.NONE)
        {
            return;
        }
        if (r == self)
        {
            applySuspect(r, incarnation, self, selfId, 0, selfIdBytes.length);
            return;
        }
        final byte[] suspectId = table.idBytes(r);
        unattributedFrom.wrap(suspectId);
        applySuspect(r, incarnation, MemberTable.NONE, unattributedFrom, 0, suspectId.length);
    }

    private void applySuspect(
        final int r,
        final long incarnation,
        final int accuser,
        final DirectBuffer from, final int fromOffset, final int fromLength)
    {
        if (incarnation < table.incarnation(r))
        {
            return;
        }
        if (table.suspicion(r) != null && incarnation > table.incarnation(r))
        {
            // Suspected again at a newer incarnation: the member refuted the old suspicion (this member may never
            // see that refutation, which the newer suspicion replaced in the queues), so a new timer starts.
            final int length = codec.suspect(
                scratchBuffer, 0, incarnation, table.idBytes(r), from, fromOffset, fromLength);
            memberUpdates.add(r, scratchBuffer, 0, length);
            table.incarnation(r, incarnation);
            table.suspicion(r, newSuspicion(accuser));
            return;
        }
        if (table.suspicion(r) != null)
        {
            if (table.suspicion(r).confirm(accuserKey(accuser)))
            {
                final int length = codec.suspect(
                    scratchBuffer, 0, incarnation, table.idBytes(r), from, fromOffset, fromLength);
                memberUpdates.add(r, scratchBuffer, 0, length);
            }
            return;
        }
        if (table.state(r) != MemberState.ALIVE)
        {
            return;
        }
        if (r == self)
        {
            if (!leaving)
            {
                refute(incarnation);
            }
            return;
        }

        final int length = codec.suspect(scratchBuffer, 0, incarnation, table.idBytes(r), from, fromOffset, fromLength);
        memberUpdates.add(r, scratchBuffer, 0, length);
        table.incarnation(r, incarnation);
        table.state(r, MemberState.SUSPECT, nowNs);
        table.suspicion(r, newSuspicion(accuser));
        suspects.addInt(r);
        counters.increment(Counter.SUSPICIONS);
        viewVersion++;
        sink.onMemberEvent(MembershipEventType.SUSPECTED, table.id(r), incarnation, nowNs);
    }

    private Suspicion newSuspicion(final int accuser)
    {
        final int n = table.liveCount();
        final int k = Suspicion.expectedConfirmations(suspicionMult, n);
        final long min = Suspicion.minTimeoutNs(suspicionMult, n, probeIntervalNs);
        return new Suspicion(accuserKey(accuser), k, min, min * suspicionMaxTimeoutMult, nowNs);
    }

    /**
     * What a suspicion compares accusers by: the member's identity object, one per id and endpoint (never a boxed
     * slot, which would not compare by identity); null for an accuser this member does not know.
     */
    private Object accuserKey(final int accuser)
    {
        return accuser == MemberTable.NONE ? null : table.identity(accuser);
    }

    private void deadNode(final long incarnation, final DirectBuffer id, final DirectBuffer from)
    {
        final int r = table.find(id, 0, id.capacity());
        if (r == MemberTable.NONE)
        {
            return;
        }
        applyDead(r, incarnation, sameBytes(table.idBytes(r), from), from, 0, from.capacity());
    }

    private void applyDead(
        final int r,
        final long incarnation,
        final boolean left,
        final DirectBuffer from, final int fromOffset, final int fromLength)
    {
        if (incarnation < table.incarnation(r) || table.state(r).isDeadOrLeft())
        {
            return;
        }
        if (r == self)
        {
            if (!leaving)
            {
                refute(incarnation);
            }
            return;
        }

        final int length = codec.dead(scratchBuffer, 0, incarnation, table.idBytes(r), from, fromOffset, fromLength);
        memberUpdates.add(r, scratchBuffer, 0, length);
        table.incarnation(r, incarnation);
        table.suspicion(r, null);
        table.state(r, left ? MemberState.LEFT : MemberState.DEAD, nowNs);
        deadMembers.addInt(r);
        viewVersion++;
        if (left)
        {
            sink.onMemberEvent(MembershipEventType.LEFT, table.id(r), incarnation, nowNs);
        }
        else
        {
            counters.increment(Counter.DEATHS);
            sink.onMemberEvent(MembershipEventType.DEAD, table.id(r), incarnation, nowNs);
        }
    }

    /**
     * Someone thinks this member is suspect, dead or older than it is: answer with an incarnation above theirs.
     */
    private void refute(final long accusedIncarnation)
    {
        table.incarnation(self, Math.max(table.incarnation(self), accusedIncarnation) + 1);
        queueAlive(self);
        awareness.applyDelta(1);
        counters.set(Counter.HEALTH_SCORE, awareness.score());
        counters.increment(Counter.REFUTATIONS);
        viewVersion++;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    /**
     * The endpoint to answer a member at: the known member's (no allocation) when it matches, else the one sent.
     */
    private String endpointOf(final DirectBuffer id, final DirectBuffer endpoint)
    {
        final int r = table.find(id, 0, id.capacity());
        if (r != MemberTable.NONE && sameBytes(table.endpointBytes(r), endpoint))
        {
            return table.endpoint(r);
        }
        return string(endpoint);
    }

    private static boolean sameBytes(final byte[] bytes, final DirectBuffer view)
    {
        final int length = view.capacity();
        if (bytes.length != length)
        {
            return false;
        }
        final byte[] array = view.byteArray();
        if (array != null)
        {
            // Heap buffers (every decoded field): one vectorised compare instead of a bounds-checked read per byte.
            final int start = view.wrapAdjustment();
            return Arrays.equals(bytes, 0, length, array, start, start + length);
        }
        for (int i = 0; i < length; i++)
        {
            if (bytes[i] != view.getByte(i))
            {
                return false;
            }
        }
        return true;
    }

    private static String string(final DirectBuffer view)
    {
        return view.getStringWithoutLengthUtf8(0, view.capacity());
    }

    private static byte[] bytes(final DirectBuffer view)
    {
        final byte[] bytes = new byte[view.capacity()];
        view.getBytes(0, bytes);
        return bytes;
    }

    public String toString()
    {
        return "MembershipCore{" + table.snapshot(self) + ", live=" + table.liveCount() + ", known=" + table.size() +
            ", health=" + awareness.score() + ", queued=" + memberUpdates.size() + "+" + userBroadcasts.size() + "}";
    }
}
