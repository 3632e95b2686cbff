package io.swimlog.membership.sim;

import io.swimlog.membership.Member;
import io.swimlog.membership.MemberIdentities;
import io.swimlog.membership.MemberState;
import io.swimlog.membership.MembershipContext;
import io.swimlog.membership.MembershipCore;
import io.swimlog.membership.MembershipCounters;
import io.swimlog.membership.MembershipEventType;
import io.swimlog.membership.PacketEnvelope;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Many members running the real protocol core on a {@link SimNetwork}, in virtual time, with faults: crash,
 * pause, restart, partition, loss, one-way cuts. Everything random descends from one seed, so a run that fails
 * replays exactly from the seed it prints.
 * <p>
 * It also keeps the figures a run is judged by: when the views converged, when each crashed member was first
 * suspected and when every survivor had declared it dead, and how many live members were declared dead.
 * <p>
 * Not thread safe: a simulation runs on the caller's thread.
 */
public final class Simulation implements SimNetwork.Handler
{
    public static final long MILLIS = 1_000_000L;
    public static final long SECONDS = 1_000_000_000L;
    private static final byte[] NO_METADATA = new byte[0];

    /** What happened to one crashed member. */
    public static final class Crash
    {
        final String memberId;
        final long crashNs;
        long firstSuspectNs = -1;
        long allDeadNs = -1;
        int declaredDeadBy;

        Crash(final String memberId, final long crashNs)
        {
            this.memberId = memberId;
            this.crashNs = crashNs;
        }

        public String memberId()
        {
            return memberId;
        }

        /** Nanoseconds from the crash to the first suspicion anywhere, or -1. */
        public long timeToFirstSuspectNs()
        {
            return firstSuspectNs < 0 ? -1 : firstSuspectNs - crashNs;
        }

        /** Nanoseconds from the crash until every survivor had declared it dead, or -1. */
        public long timeToAllDeadNs()
        {
            return allDeadNs < 0 ? -1 : allDeadNs - crashNs;
        }
    }

    private final class Node implements MembershipCore.EventSink
    {
        final int index;
        final String id;
        final String endpoint;
        final SimTransport transport;
        MembershipCore core;
        MembershipCounters counters;
        int generation;
        boolean running;
        boolean paused;
        boolean fullView;
        long timerAtNs = Long.MAX_VALUE;

        Node(final int index)
        {
            this.index = index;
            this.id = "node-" + index;
            this.endpoint = "10." + (index >> 16 & 0xFF) + '.' + (index >> 8 & 0xFF) + '.' + (index & 0xFF) + ":7946";
            this.transport = new SimTransport(network, index, endpoint);
        }

        public void onMemberEvent(
            final MembershipEventType type, final String memberId, final long incarnation, final long nowNs)
        {
            if (type == MembershipEventType.JOINED || memberId.equals(id))
            {
                return; // JOINED comes N^2 times when a running cluster starts: nothing to look up for it
            }
            switch (type)
            {
                case SUSPECTED:
                {
                    final Crash crash = crashes.get(memberId);
                    if (crash != null && crash.firstSuspectNs < 0)
                    {
                        crash.firstSuspectNs = nowNs;
                    }
                    break;
                }
                case DEAD:
                {
                    final Crash crash = crashes.get(memberId);
                    if (crash != null)
                    {
                        crash.declaredDeadBy++;
                        if (crash.allDeadNs < 0 && crash.declaredDeadBy >= runningCount())
                        {
                            crash.allDeadNs = nowNs;
                        }
                    }
                    else
                    {
                        final Node subject = byId.get(memberId);
                        if (subject != null && subject.running)
                        {
                            falseDead++;
                            if (falseDeadReports.size() < 20)
                            {
                                falseDeadReports.add(id + " declared live " + memberId + " dead at " +
                                    nowNs / MILLIS + " ms, at incarnation " + incarnation + " while it was at " +
                                    subject.core.localIncarnation());
                            }
                        }
                    }
                    break;
                }
                default:
                    break;
            }
        }

        public void onWarning(final String message)
        {
            if (warnings.size() < 100)
            {
                warnings.add(message);
            }
        }
    }

    private final long seed;
    private final SimNetwork network;
    private final PacketEnvelope envelope;
    private final MemberIdentities identities = new MemberIdentities();
    private final Consumer<MembershipContext> configurer;
    private final ArrayList<Node> nodes = new ArrayList<>();
    private final Map<String, Node> byId = new HashMap<>();
    private final Map<String, Crash> crashes = new HashMap<>();
    private final ArrayList<String> falseDeadReports = new ArrayList<>();
    private final ArrayList<String> warnings = new ArrayList<>();
    private long falseDead;
    private long retiredMessagesOut;
    private long retiredBytesOut;
    private int fullViewCount;
    private long joinConvergedNs = -1;

    /**
     * @param seed       the one source of randomness.
     * @param configurer adjusts each member's context (profile, timings) before it starts; may be null.
     */
    public Simulation(final long seed, final Consumer<MembershipContext> configurer)
    {
        this.seed = seed;
        this.network = new SimNetwork(seed);
        // One envelope serves every member: they share this thread and, in a simulation, the cluster name.
        this.envelope = new PacketEnvelope(MembershipContext.DEFAULT_CLUSTER_NAME, null);
        this.configurer = configurer;
    }

    public long seed()
    {
        return seed;
    }

    public SimNetwork network()
    {
        return network;
    }

    public long nowNs()
    {
        return network.nowNs();
    }

    public int size()
    {
        return nodes.size();
    }

    /**
     * Adds and starts {@code count} members: the first alone, the others joining through it at random moments
     * over {@code spreadNs}.
     */
    public void startCluster(final int count, final long spreadNs)
    {
        final int first = nodes.size();
        for (int i = 0; i < count; i++)
        {
            nodes.add(new Node(nodes.size()));
            byId.put(nodes.get(nodes.size() - 1).id, nodes.get(nodes.size() - 1));
        }
        final String seedEndpoint = nodes.get(0).endpoint;
        final long start = network.nowNs();
        for (int i = first; i < nodes.size(); i++)
        {
            final long at = i == 0 ? start : start + (spreadNs > 0 ? network.random().nextLong(spreadNs) : 0);
            final List<String> seeds = i == 0 ? List.of() : List.of(seedEndpoint);
            network.runUntil(at, this);
            startNode(nodes.get(i), seeds);
        }
    }

    /**
     * Adds {@code count} members as a cluster that has been running: each starts with all of them ALIVE in its
     * view ({@link MembershipCore#startInRunningCluster}), nothing queued to gossip and its timers at random points
     * of their periods, so the join (a storm at 10,000 members) is skipped and steady state starts at once. Member 0
     * is every other member's seed, for reconnecting only. Must be the first members of the simulation.
     */
    public void startRunningCluster(final int count)
    {
        if (!nodes.isEmpty())
        {
            throw new IllegalStateException("a running cluster must be the first members of a simulation");
        }
        for (int i = 0; i < count; i++)
        {
            final Node node = new Node(i);
            nodes.add(node);
            byId.put(node.id, node);
        }
        final String seedEndpoint = nodes.get(0).endpoint;
        for (final Node node : nodes)
        {
            createCore(node, node.index == 0 ? List.of() : List.of(seedEndpoint));
        }
        // One list of the members as they start (ALIVE, at the incarnation each starts with), shared by every view.
        final ArrayList<Member> view = new ArrayList<>(count);
        for (final Node node : nodes)
        {
            view.add(new Member(node.id, node.endpoint, node.core.localIncarnation(), MemberState.ALIVE,
                NO_METADATA));
        }
        for (final Node node : nodes)
        {
            node.core.startInRunningCluster(network.nowNs(), view);
            reschedule(node);
            checkFullView(node);
        }
    }

    public void runFor(final long durationNs)
    {
        network.runUntil(network.nowNs() + durationNs, this);
    }

    /**
     * Runs until the condition holds (checked every {@code stepNs}) or {@code maxNs} have passed.
     *
     * @return whether the condition held.
     */
    public boolean runUntil(final BooleanSupplier condition, final long maxNs, final long stepNs)
    {
        final long deadline = network.nowNs() + maxNs;
        while (!condition.getAsBoolean())
        {
            if (network.nowNs() >= deadline)
            {
                return false;
            }
            network.runUntil(Math.min(deadline, network.nowNs() + stepNs), this);
        }
        return true;
    }

    /**
     * Crashes a member: it stops at once, without a word to anyone.
     */
    public Crash crash(final int index)
    {
        final Node node = nodes.get(index);
        stop(node);
        final Crash crash = new Crash(node.id, network.nowNs());
        crashes.put(node.id, crash);
        return crash;
    }

    /**
     * Freezes a member (as SIGSTOP): it runs no timers and the datagrams sent to it are lost.
     */
    public void pause(final int index)
    {
        final Node node = nodes.get(index);
        node.paused = true;
        network.up(index, false);
    }

    public void resume(final int index)
    {
        final Node node = nodes.get(index);
        node.paused = false;
        network.up(index, node.running);
        node.timerAtNs = Long.MAX_VALUE;
        reschedule(node);
    }

    /**
     * Starts a crashed member again with the same id and endpoint and no memory, joining through member 0 (or 1).
     */
    public void restart(final int index)
    {
        final Node node = nodes.get(index);
        if (node.running)
        {
            stop(node);
        }
        crashes.remove(node.id);
        final Node seedNode = nodes.get(index == 0 ? 1 : 0);
        startNode(node, List.of(seedNode.endpoint));
    }

    /**
     * Gracefully leaves; the member keeps gossiping its departure until {@link #stopAfterLeave(int)}.
     */
    public void leave(final int index)
    {
        nodes.get(index).core.leave();
        reschedule(nodes.get(index));
    }

    public void stopAfterLeave(final int index)
    {
        stop(nodes.get(index));
    }

    /**
     * Splits the members into two groups that cannot reach each other: those below {@code boundary} and the rest.
     */
    public void partition(final int boundary)
    {
        for (int i = 0; i < nodes.size(); i++)
        {
            network.group(i, i < boundary ? 0 : 1);
        }
    }

    public void heal()
    {
        network.heal();
    }

    /**
     * Reschedules a member's timers after the caller acted on its core directly (broadcast, metadata update).
     */
    public void poke(final int index)
    {
        final Node node = nodes.get(index);
        node.core.now(network.nowNs());
        reschedule(node);
    }

    public MembershipCore core(final int index)
    {
        return nodes.get(index).core;
    }

    public String memberId(final int index)
    {
        return nodes.get(index).id;
    }

    public boolean isRunning(final int index)
    {
        return nodes.get(index).running;
    }

    public Crash crashOf(final int index)
    {
        return crashes.get(nodes.get(index).id);
    }

    /**
     * Members declared DEAD by someone while they were running.
     */
    public long falseDead()
    {
        return falseDead;
    }

    public List<String> falseDeadReports()
    {
        return falseDeadReports;
    }

    public List<String> warnings()
    {
        return warnings;
    }

    /**
     * When every member started by {@link #startCluster} first saw all the others alive, or -1.
     */
    public long joinConvergedNs()
    {
        return joinConvergedNs;
    }

    public int runningCount()
    {
        int count = 0;
        for (int i = 0, size = nodes.size(); i < size; i++)
        {
            if (nodes.get(i).running)
            {
                count++;
            }
        }
        return count;
    }

    /**
     * Whether every running member sees exactly the running members as ALIVE (and nobody else as live).
     */
    public boolean viewsConverged()
    {
        final int running = runningCount();
        for (int i = 0, size = nodes.size(); i < size; i++)
        {
            final Node node = nodes.get(i);
            if (!node.running)
            {
                continue;
            }
            if (node.core.liveMemberCount() != running)
            {
                return false;
            }
            for (int j = 0; j < size; j++)
            {
                final Node other = nodes.get(j);
                if (other.running && node.core.stateOf(other.id) != MemberState.ALIVE)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether every running member sees member {@code index} in {@code state}.
     */
    public boolean allSee(final int index, final MemberState state)
    {
        final String id = nodes.get(index).id;
        for (int i = 0, size = nodes.size(); i < size; i++)
        {
            final Node node = nodes.get(i);
            if (i != index && node.running && node.core.stateOf(id) != state)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Updates waiting in the running members' broadcast queues: zero once the news has spread.
     */
    public long queuedBroadcasts()
    {
        long total = 0;
        for (final Node node : nodes)
        {
            if (node.running)
            {
                total += node.core.queuedBroadcasts();
            }
        }
        return total;
    }

    /**
     * Datagrams sent by all members, over all their lives.
     */
    public long messagesOut()
    {
        long total = retiredMessagesOut;
        for (final Node node : nodes)
        {
            if (node.counters != null)
            {
                total += node.counters.messagesOut();
            }
        }
        return total;
    }

    public long bytesOut()
    {
        long total = retiredBytesOut;
        for (final Node node : nodes)
        {
            if (node.counters != null)
            {
                total += node.counters.bytesOut();
            }
        }
        return total;
    }

    public void onDatagram(final int index, final DirectBuffer buffer, final int offset, final int length)
    {
        final Node node = nodes.get(index);
        if (!node.running || node.paused)
        {
            return;
        }
        node.core.now(network.nowNs());
        node.core.onDatagram(buffer, offset, length);
        reschedule(node);
        checkFullView(node);
    }

    public void onTimer(final int index, final int generation)
    {
        final Node node = nodes.get(index);
        if (generation != node.generation || !node.running || node.paused || network.nowNs() != node.timerAtNs)
        {
            return;
        }
        node.timerAtNs = Long.MAX_VALUE;
        node.core.onTimers(network.nowNs());
        reschedule(node);
        checkFullView(node);
    }

    public String toString()
    {
        return "Simulation{seed=" + seed + ", members=" + nodes.size() + ", now=" + network.nowNs() / MILLIS + " ms}";
    }

    private void startNode(final Node node, final List<String> seeds)
    {
        createCore(node, seeds);
        node.core.start(network.nowNs());
        reschedule(node);
    }

    /**
     * A new life for the member: a new core, running, not yet started.
     */
    private void createCore(final Node node, final List<String> seeds)
    {
        node.generation++;
        final MembershipContext ctx = new MembershipContext()
            .memberId(node.id)
            .bind(node.endpoint)
            .seeds(seeds)
            .transport(node.transport)
            .epochClock(() -> network.nowNs() / MILLIS)
            .randomSeed(seed * 0x9E3779B97F4A7C15L + node.index * 31L + node.generation);
        if (configurer != null)
        {
            configurer.accept(ctx);
        }
        ctx.conclude();
        if (node.counters != null)
        {
            retiredMessagesOut += node.counters.messagesOut();
            retiredBytesOut += node.counters.bytesOut();
        }
        node.counters = new MembershipCounters();
        node.core = new MembershipCore(ctx, envelope, node.counters, node, identities);
        node.running = true;
        node.paused = false;
        node.fullView = false;
        node.timerAtNs = Long.MAX_VALUE;
        network.up(node.index, true);
    }

    private void stop(final Node node)
    {
        node.running = false;
        node.paused = false;
        network.up(node.index, false);
        node.timerAtNs = Long.MAX_VALUE;
    }

    private void reschedule(final Node node)
    {
        if (!node.running || node.paused)
        {
            return;
        }
        final long deadline = Math.max(node.core.nextDeadlineNs(), network.nowNs());
        if (deadline < node.timerAtNs)
        {
            node.timerAtNs = deadline;
            network.scheduleTimer(node.index, deadline, node.generation);
        }
    }

    private void checkFullView(final Node node)
    {
        if (!node.fullView && joinConvergedNs < 0 && node.core.liveMemberCount() == nodes.size())
        {
            node.fullView = true;
            if (++fullViewCount == nodes.size())
            {
                joinConvergedNs = network.nowNs();
            }
        }
    }
}
