package io.swimlog.tools.membership;

import io.swimlog.membership.MembershipContext;
import io.swimlog.membership.MembershipCore;
import io.swimlog.membership.MembershipProfile;
import io.swimlog.membership.sim.SimNetwork;
import io.swimlog.membership.sim.Simulation;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static io.swimlog.membership.sim.Simulation.MILLIS;
import static io.swimlog.membership.sim.Simulation.SECONDS;

/**
 * The experiments behind {@code swimlog membership scale}, for one cluster size, on the deterministic simulator
 * with memberlist's LAN timings (probe 1 s, timeout 500 ms, gossip every 200 ms to 3, push-pull every 30 s):
 * <ol>
 * <li>steady-state traffic: datagrams and bytes sent per member per second over a window after the join
 * converged and the join's broadcasts drained;</li>
 * <li>dissemination: one member updates its metadata (a new incarnation of itself) and the time until 99.9% of
 * the others hold that incarnation, also in gossip rounds (200 ms);</li>
 * <li>detection: one member crashes; time to its first suspicion anywhere and until every survivor declared it
 * dead;</li>
 * <li>false DEAD: live members declared dead while every datagram is lost with probability 1%, 5%, 10%;</li>
 * <li>slow members (Lifeguard's scenario, as the simulator can express it): 1% of the members (at least 1, at
 * most 10) get every datagram to and from them delayed by 300 to 900 ms, like a member whose process runs late;
 * counted, with the local health score on (max multiplier 8) and off (1): refutations by healthy members (each
 * one a false suspicion of a healthy member that reached it), refutations by the slow ones, and live members
 * declared dead.</li>
 * </ol>
 * Each experiment is a fresh simulation from the same seed. Clusters of at least {@code runningFrom} members
 * start as a cluster that has been running ({@link Simulation#startRunningCluster}): their join through one seed
 * (N full-state exchanges, N^2 queued updates) does not fit a few GB of heap at 10,000, so no join time is
 * measured for them ({@link Result#convergeMs} is -1 and {@link Result#running} true). Not thread safe.
 */
final class ScaleSweep
{
    static final double[] LOSSES = { 0.01, 0.05, 0.10 };
    private static final long SLOW_DELAY_NS = 300 * MILLIS;
    private static final long SLOW_JITTER_NS = 600 * MILLIS;

    /** The figures of one cluster size; -1 where a figure was not reached. */
    record Result(
        int nodes,
        boolean running,
        long windowSeconds,
        long convergeMs,
        double messagesPerMemberPerSecond,
        double bytesPerMemberPerSecond,
        long disseminationMs,
        double disseminationRounds,
        long firstSuspectMs,
        long allDeadMs,
        long[] falseDeadAtLoss,
        int slowMembers,
        long[] healthyRefutations,
        long[] slowRefutations,
        long[] slowFalseDead,
        long wallMs)
    {
    }

    /** The figures of the first simulation: traffic, dissemination, detection. */
    private record Steady(
        long convergeMs, double messageRate, double byteRate, long disseminationMs, double rounds,
        long firstSuspectMs, long allDeadMs)
    {
    }

    private final long seed;
    private final long windowSeconds;
    private final int runningFrom;
    private final double maxLossRunning;
    private final PrintWriter log;

    /**
     * @param runningFrom    sizes from this up start as a running cluster.
     * @param maxLossRunning the highest of {@link #LOSSES} run at those sizes; higher ones are reported as not run
     *                       (-1): at 10,000 members 10% loss keeps tens of thousands of suspicions and their updates
     *                       queued at once, more than a few GB of heap.
     */
    ScaleSweep(
        final long seed, final long windowSeconds, final int runningFrom, final double maxLossRunning,
        final PrintWriter log)
    {
        this.seed = seed;
        this.windowSeconds = windowSeconds;
        this.runningFrom = runningFrom;
        this.maxLossRunning = maxLossRunning;
        this.log = log;
    }

    Result run(final int nodes)
    {
        final long wallStart = System.nanoTime();
        // In its own method, so that its simulation (gigabytes at 10,000 members) is garbage before the next starts.
        final Steady steady = steady(nodes);

        final long[] falseDead = new long[LOSSES.length];
        for (int i = 0; i < LOSSES.length; i++)
        {
            if (nodes >= runningFrom && LOSSES[i] > maxLossRunning)
            {
                falseDead[i] = -1;
                log.printf("  N=%d: %.0f%% loss not run (above --max-loss-running)%n", nodes, LOSSES[i] * 100);
                log.flush();
                continue;
            }
            final Simulation lossy = converged(nodes, null);
            final long before = lossy.falseDead();
            lossy.network().loss(LOSSES[i]);
            lossy.runFor(windowSeconds * SECONDS);
            falseDead[i] = lossy.falseDead() - before;
            log.printf("  N=%d: %.0f%% loss for %d s: %d live members declared dead%n",
                nodes, LOSSES[i] * 100, windowSeconds, falseDead[i]);
            log.flush();
        }

        final int slow = Math.max(1, Math.min(10, nodes / 100));
        final long[] healthyRefutations = new long[2];
        final long[] slowRefutations = new long[2];
        final long[] slowFalseDead = new long[2];
        for (int health = 0; health < 2; health++)
        {
            final boolean on = health == 0;
            final Simulation slowSim = converged(nodes, on ? null : ctx -> ctx.awarenessMaxMultiplier(1));
            final long[] refutationsBefore = refutations(slowSim, slow);
            final long deadBefore = slowSim.falseDead();
            for (int s = 0; s < slow; s++)
            {
                final int member = nodes - 1 - s;
                final SimNetwork.Link link = new SimNetwork.Link(0, SLOW_DELAY_NS, SLOW_JITTER_NS);
                for (int j = 0; j < nodes; j++)
                {
                    if (j != member)
                    {
                        slowSim.network().link(member, j, link);
                        slowSim.network().link(j, member, link);
                    }
                }
            }
            slowSim.runFor(windowSeconds * SECONDS);
            final long[] refutationsAfter = refutations(slowSim, slow);
            healthyRefutations[health] = refutationsAfter[0] - refutationsBefore[0];
            slowRefutations[health] = refutationsAfter[1] - refutationsBefore[1];
            slowFalseDead[health] = slowSim.falseDead() - deadBefore;
            log.printf("  N=%d: %d slow members for %d s, health score %s: %d refutations by healthy members, " +
                "%d by slow ones, %d live members declared dead%n", nodes, slow, windowSeconds, on ? "on" : "off",
                healthyRefutations[health], slowRefutations[health], slowFalseDead[health]);
            log.flush();
        }

        return new Result(nodes, nodes >= runningFrom, windowSeconds, steady.convergeMs(), steady.messageRate(),
            steady.byteRate(), steady.disseminationMs(), steady.rounds(), steady.firstSuspectMs(), steady.allDeadMs(),
            falseDead, slow, healthyRefutations, slowRefutations, slowFalseDead,
            (System.nanoTime() - wallStart) / 1_000_000);
    }

    private Steady steady(final int nodes)
    {
        final Simulation sim = converged(nodes, null);
        final long convergeMs = sim.joinConvergedNs() < 0 || nodes >= runningFrom ? -1 :
            sim.joinConvergedNs() / MILLIS;

        // Traffic in steady state: wait for the join's broadcasts to drain (bounded), then measure a window.
        sim.runUntil(() -> sim.queuedBroadcasts() == 0, 60 * SECONDS, SECONDS);
        sim.runFor(5 * SECONDS);
        final long messages = sim.messagesOut();
        final long bytes = sim.bytesOut();
        final long steadyNs = Math.min(windowSeconds, 30) * SECONDS;
        sim.runFor(steadyNs);
        final double seconds = steadyNs / 1e9;
        final double messageRate = (sim.messagesOut() - messages) / (seconds * nodes);
        final double byteRate = (sim.bytesOut() - bytes) / (seconds * nodes);
        log.printf("  N=%d: %s, %.2f messages and %.0f bytes per member per second%n", nodes,
            nodes >= runningFrom ? "started as a running cluster" : "converged at " + convergeMs + " ms",
            messageRate, byteRate);
        log.flush();

        final long disseminationMs = disseminate(sim, 1);
        final double rounds = disseminationMs < 0 ? -1 :
            disseminationMs / (double)MembershipProfile.LAN.gossipIntervalMs();
        log.printf("  N=%d: one update reached 99.9%% after %d ms (%.1f gossip rounds)%n", nodes, disseminationMs, rounds);
        log.flush();

        final Simulation.Crash crash = sim.crash(nodes / 2);
        sim.runUntil(() -> crash.timeToAllDeadNs() >= 0, 300 * SECONDS, 100 * MILLIS);
        final long firstSuspectMs = crash.timeToFirstSuspectNs() < 0 ? -1 : crash.timeToFirstSuspectNs() / MILLIS;
        final long allDeadMs = crash.timeToAllDeadNs() < 0 ? -1 : crash.timeToAllDeadNs() / MILLIS;
        log.printf("  N=%d: crash first suspected after %d ms, dead to all after %d ms%n", nodes, firstSuspectMs, allDeadMs);
        log.flush();

        return new Steady(convergeMs, messageRate, byteRate, disseminationMs, rounds, firstSuspectMs, allDeadMs);
    }

    private Simulation converged(final int nodes, final Consumer<MembershipContext> configurer)
    {
        final Simulation sim = new Simulation(seed, configurer);
        if (nodes >= runningFrom)
        {
            sim.startRunningCluster(nodes);
            return sim;
        }
        sim.startCluster(nodes, SECONDS);
        if (!sim.runUntil(() -> sim.joinConvergedNs() >= 0, 600 * SECONDS, 100 * MILLIS))
        {
            throw new IllegalStateException(nodes + " members did not converge within 600 virtual seconds, seed " + seed);
        }
        return sim;
    }

    /**
     * Updates member {@code origin}'s metadata and runs until 99.9% of the others hold the new incarnation.
     *
     * @return milliseconds, or -1 if not reached within 120 virtual seconds.
     */
    private static long disseminate(final Simulation sim, final int origin)
    {
        final MembershipCore source = sim.core(origin);
        final String id = sim.memberId(origin);
        source.updateMetadata("v2".getBytes(StandardCharsets.UTF_8));
        final long incarnation = source.localIncarnation();
        final int others = sim.size() - 1;
        final int needed = (int)Math.ceil(others * 0.999);
        final long startNs = sim.nowNs();
        final boolean reached = sim.runUntil(() ->
        {
            int count = 0;
            for (int i = 0; i < sim.size(); i++)
            {
                if (i != origin && sim.isRunning(i))
                {
                    final var member = sim.core(i).member(id);
                    if (null != member && member.incarnation() >= incarnation)
                    {
                        count++;
                    }
                }
            }
            return count >= needed;
        }, 120 * SECONDS, 10 * MILLIS);
        return reached ? (sim.nowNs() - startNs) / MILLIS : -1;
    }

    /**
     * Refutations so far by the healthy members [0] and by the slow ones (the last {@code slow} members) [1].
     */
    private static long[] refutations(final Simulation sim, final int slow)
    {
        final long[] total = new long[2];
        for (int i = 0; i < sim.size(); i++)
        {
            total[i >= sim.size() - slow ? 1 : 0] += sim.core(i).counters().refutations();
        }
        return total;
    }
}
