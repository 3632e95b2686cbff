package io.swimlog.tools.membership;

import io.swimlog.membership.MembershipProfile;
import io.swimlog.membership.sim.SimulationScenario;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code swimlog membership sim}: the real protocol core on the deterministic network simulator, in virtual time.
 * Starts N members joining through one, waits until the join's news has spread, crashes K random members and
 * runs to the end of the duration with the given packet loss; then prints join convergence, steady-state traffic per member,
 * detection times of the crashed members and members falsely declared dead.
 */
@Command(
    name = "sim",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Run the SWIM protocol in the deterministic simulator, in virtual time, and print what happened: join " +
            "convergence, messages and bytes sent per member per second, for each crashed member the time until " +
            "first suspected and until every survivor declared it dead, and members falsely declared dead.",
        "With --json, one object: nodes, start (join or running), seed, loss, kill, virtual_seconds, converge_ms " +
            "(0 with --start running), steady_from_ms, messages_per_member_per_second, bytes_per_member_per_second, " +
            "false_dead, converged_at_end, peak_bytes_in_flight, wall_ms, killed [{member, first_suspect_ms, " +
            "all_dead_ms}], first_suspect_ms and all_dead_ms (means; -1: never)."
    })
public final class MembershipSimCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", required = true, paramLabel = "N", description = "Members to simulate (2 to 100000).")
    int nodes;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
        description = "Seed of every random choice; the same seed replays the same run (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--loss", paramLabel = "P", defaultValue = "0",
        description = "Fraction of datagrams lost after the join, 0 to below 1 (default: ${DEFAULT-VALUE}).")
    double loss;

    @Option(names = "--kill", paramLabel = "K", defaultValue = "0",
        description = "Members crashed once the join's news has spread, when the steady state begins " +
            "(default: ${DEFAULT-VALUE}).")
    int kill;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "60",
        description = "Virtual seconds to simulate, join included (default: ${DEFAULT-VALUE}).")
    long durationSeconds;

    @Option(names = "--start", paramLabel = "join|running", defaultValue = "join",
        description = "join: every member joins through one seed during the first second, and the join is part of " +
            "the run; running: the members start as a cluster that has been running, all in every view with " +
            "nothing to gossip, so only steady state is simulated (for large N, whose join is itself a storm) " +
            "(default: ${DEFAULT-VALUE}).")
    String start;

    @Option(names = "--profile", paramLabel = "lan|wan|local", defaultValue = "lan",
        description = "Timing preset, memberlist's values (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--probe-interval-ms", paramLabel = "MS", description = "Overrides the profile's probe interval.")
    Long probeIntervalMs;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    public Integer call()
    {
        final MembershipProfile membershipProfile = parseProfile();
        final SimulationScenario.Start startMode = parseStart();
        final SimulationScenario scenario;
        try
        {
            scenario = new SimulationScenario()
                .nodes(nodes)
                .seed(seed)
                .loss(loss)
                .kill(kill)
                .durationSeconds(durationSeconds)
                .start(startMode)
                .configurer(ctx ->
                {
                    ctx.profile(membershipProfile);
                    if (probeIntervalMs != null)
                    {
                        ctx.probeIntervalMs(probeIntervalMs);
                    }
                });
            if (kill >= nodes)
            {
                throw new IllegalArgumentException("--kill must be less than --nodes: " + kill + " >= " + nodes);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }

        final SimulationScenario.Report report = scenario.run();
        final PrintWriter out = spec.commandLine().getOut();
        out.print(json ? report.toJson() + System.lineSeparator() : report.toText());
        out.flush();
        return 0;
    }

    private SimulationScenario.Start parseStart()
    {
        for (final SimulationScenario.Start mode : SimulationScenario.Start.values())
        {
            if (mode.label().equals(start))
            {
                return mode;
            }
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "--start must be join or running: " + start);
    }

    private MembershipProfile parseProfile()
    {
        try
        {
            return MembershipProfile.valueOf(profile.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(
                spec.commandLine(), "--profile must be lan, wan or local: " + profile);
        }
    }
}
