package io.swimlog.membership.sim;

import io.swimlog.membership.MembershipContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The standard experiment behind {@code swimlog membership sim}: start N members joining through one seed,
 * wait for one view, then crash K random members, and run for the given virtual duration with packet loss.
 * Reports join convergence, steady-state traffic per member, detection times of the crashed members and
 * members falsely declared dead.
 * <p>
 * With {@link Start#RUNNING} the members instead start as a cluster that has been running, each with all of them
 * in its view ({@link Simulation#startRunningCluster}): no join is measured (converge_ms is 0), and the report
 * says so in its {@code start} field.
 */
public final class SimulationScenario
{
    /** How the members start. */
    public enum Start
    {
        /** Each joins through member 0 at a random moment of the first second: the join is part of the run. */
        JOIN,
        /** As a cluster that has been running: everyone already in every view, nothing queued, timers spread. */
        RUNNING;

        /** As the command line and the JSON report spell it. */
        public String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private int nodes = 100;
    private Start start = Start.JOIN;
    private long seed = 1;
    private double loss;
    private int kill;
    private long durationSeconds = 60;
    private Consumer<MembershipContext> configurer;

    public SimulationScenario nodes(final int nodes)
    {
        if (nodes < 2 || nodes > 100_000)
        {
            throw new IllegalArgumentException("--nodes must be 2 to 100000: " + nodes);
        }
        this.nodes = nodes;
        return this;
    }

    public SimulationScenario seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    public SimulationScenario loss(final double loss)
    {
        if (!(loss >= 0.0 && loss < 1.0))
        {
            throw new IllegalArgumentException("--loss must be a fraction from 0 up to (not including) 1: " + loss);
        }
        this.loss = loss;
        return this;
    }

    public SimulationScenario kill(final int kill)
    {
        if (kill < 0)
        {
            throw new IllegalArgumentException("--kill must not be negative: " + kill);
        }
        this.kill = kill;
        return this;
    }

    public SimulationScenario durationSeconds(final long durationSeconds)
    {
        if (durationSeconds <= 0)
        {
            throw new IllegalArgumentException("--duration must be positive: " + durationSeconds);
        }
        this.durationSeconds = durationSeconds;
        return this;
    }

    public SimulationScenario start(final Start start)
    {
        this.start = java.util.Objects.requireNonNull(start, "start");
        return this;
    }

    /**
     * Adjusts every member's context (profile, timings).
     */
    public SimulationScenario configurer(final Consumer<MembershipContext> configurer)
    {
        this.configurer = configurer;
        return this;
    }

    /**
     * Runs the experiment.
     */
    public Report run()
    {
        if (kill >= nodes)
        {
            throw new IllegalArgumentException("--kill must be less than --nodes: " + kill + " >= " + nodes);
        }
        final long wallStart = System.nanoTime();
        final Simulation sim = new Simulation(seed, configurer);
        final long durationNs = durationSeconds * Simulation.SECONDS;
        if (start == Start.RUNNING)
        {
            sim.startRunningCluster(nodes);
        }
        else
        {
            // Members start over one second, without loss, as a deployment would bring them up.
            sim.startCluster(nodes, Simulation.SECONDS);
        }
        final long startNs = 0;
        sim.network().loss(loss);
        sim.runUntil(() -> sim.joinConvergedNs() >= 0, durationNs - sim.nowNs(), 10 * Simulation.MILLIS);
        final long convergeNs = sim.joinConvergedNs();

        // Steady state: once the join's news has been gossiped out (every queue empty), or from half way.
        final long halfway = startNs + durationNs / 2;
        sim.runUntil(() -> sim.queuedBroadcasts() == 0, Math.max(0, halfway - sim.nowNs()), Simulation.SECONDS / 10);
        final long steadyStartNs = sim.nowNs();
        final long steadyMessages = sim.messagesOut();
        final long steadyBytes = sim.bytesOut();

        final List<Simulation.Crash> crashes = new ArrayList<>();
        final ArrayList<Integer> candidates = new ArrayList<>();
        for (int i = 1; i < nodes; i++)
        {
            candidates.add(i);
        }
        for (int i = 0; i < kill; i++)
        {
            final int pick = candidates.remove(sim.network().random().nextInt(candidates.size()));
            crashes.add(sim.crash(pick));
        }
        sim.runUntil(() -> sim.nowNs() >= startNs + durationNs, Math.max(0, startNs + durationNs - sim.nowNs()),
            Simulation.SECONDS);
        final double steadySeconds = (sim.nowNs() - steadyStartNs) / 1e9;
        final int alive = nodes - kill;
        final double messagesRate = steadySeconds > 0 ?
            (sim.messagesOut() - steadyMessages) / (steadySeconds * alive) : 0;
        final double bytesRate = steadySeconds > 0 ? (sim.bytesOut() - steadyBytes) / (steadySeconds * alive) : 0;

        return new Report(
            nodes, start.label(), seed, loss, kill, sim.nowNs() / 1e9,
            convergeNs < 0 ? -1 : convergeNs / Simulation.MILLIS,
            steadyStartNs / Simulation.MILLIS,
            messagesRate, bytesRate, sim.falseDead(), crashes, sim.viewsConverged(), sim.network().peakBytesInFlight(),
            (System.nanoTime() - wallStart) / 1_000_000);
    }

    /** The figures of one run. */
    public record Report(
        int nodes,
        String start,
        long seed,
        double loss,
        int kill,
        double virtualSeconds,
        long convergeMs,
        long steadyFromMs,
        double messagesPerMemberPerSecond,
        double bytesPerMemberPerSecond,
        long falseDead,
        List<Simulation.Crash> crashes,
        boolean converged,
        long peakBytesInFlight,
        long wallMs)
    {
        public String toJson()
        {
            final StringBuilder sb = new StringBuilder(256);
            sb.append("{\"nodes\":").append(nodes)
                .append(",\"start\":\"").append(start).append('"')
                .append(",\"seed\":").append(seed)
                .append(",\"loss\":").append(loss)
                .append(",\"kill\":").append(kill)
                .append(",\"virtual_seconds\":").append(format(virtualSeconds))
                .append(",\"converge_ms\":").append(convergeMs)
                .append(",\"steady_from_ms\":").append(steadyFromMs)
                .append(",\"messages_per_member_per_second\":").append(format(messagesPerMemberPerSecond))
                .append(",\"bytes_per_member_per_second\":").append(format(bytesPerMemberPerSecond))
                .append(",\"false_dead\":").append(falseDead)
                .append(",\"converged_at_end\":").append(converged)
                .append(",\"peak_bytes_in_flight\":").append(peakBytesInFlight)
                .append(",\"wall_ms\":").append(wallMs)
                .append(",\"killed\":[");
            for (int i = 0; i < crashes.size(); i++)
            {
                final Simulation.Crash crash = crashes.get(i);
                sb.append(i == 0 ? "" : ",")
                    .append("{\"member\":\"").append(crash.memberId()).append('"')
                    .append(",\"first_suspect_ms\":").append(millis(crash.timeToFirstSuspectNs()))
                    .append(",\"all_dead_ms\":").append(millis(crash.timeToAllDeadNs()))
                    .append('}');
            }
            sb.append("],\"first_suspect_ms\":").append(format(meanMillis(true)))
                .append(",\"all_dead_ms\":").append(format(meanMillis(false)))
                .append('}');
            return sb.toString();
        }

        public String toText()
        {
            final StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT,
                "%d members, seed %d, loss %.1f%%, %.0f virtual seconds (%d ms wall)%n",
                nodes, seed, loss * 100, virtualSeconds, wallMs));
            if ("running".equals(start))
            {
                sb.append(String.format(Locale.ROOT,
                    "started as a running cluster (every member in every view): no join measured%n"));
            }
            else
            {
                sb.append(String.format(Locale.ROOT, "join converged after %s%n",
                    convergeMs < 0 ? "never" : convergeMs + " ms"));
            }
            sb.append(String.format(Locale.ROOT,
                "steady state (from %d ms): %.2f messages and %.0f bytes sent per member per second%n",
                steadyFromMs, messagesPerMemberPerSecond, bytesPerMemberPerSecond));
            for (final Simulation.Crash crash : crashes)
            {
                sb.append(String.format(Locale.ROOT,
                    "crashed %s: first suspected after %s, dead to all survivors after %s%n", crash.memberId(),
                    describe(crash.timeToFirstSuspectNs()), describe(crash.timeToAllDeadNs())));
            }
            sb.append(String.format(Locale.ROOT, "members falsely declared dead: %d%n", falseDead));
            sb.append(String.format(Locale.ROOT, "one view at the end: %s%n", converged ? "yes" : "no"));
            return sb.toString();
        }

        /**
         * Mean over the crashed members of time to first suspicion (or to all dead); -1 if none got there.
         */
        public double meanMillis(final boolean firstSuspect)
        {
            double sum = 0;
            int count = 0;
            for (final Simulation.Crash crash : crashes)
            {
                final long ns = firstSuspect ? crash.timeToFirstSuspectNs() : crash.timeToAllDeadNs();
                if (ns >= 0)
                {
                    sum += ns / 1e6;
                    count++;
                }
            }
            return count == 0 ? -1 : sum / count;
        }

        private static String describe(final long ns)
        {
            return ns < 0 ? "never" : (ns / Simulation.MILLIS) + " ms";
        }

        private static long millis(final long ns)
        {
            return ns < 0 ? -1 : ns / Simulation.MILLIS;
        }

        private static String format(final double value)
        {
            return String.format(Locale.ROOT, "%.3f", value);
        }
    }
}
