package io.swimlog.tools.membership;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code swimlog membership scale}: the simulation sweep over cluster sizes ({@link ScaleSweep}), written as a
 * markdown table and PNG plots, so the figures in README can be made again with one command.
 */
@Command(
    name = "scale",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Run the membership protocol in simulation at several cluster sizes (memberlist's LAN timings) and measure " +
            "traffic per member, dissemination of one update, detection of a crash, live members declared dead " +
            "under 1%%, 5%% and 10%% loss, and Lifeguard's slow-member scenario with the health score on and off.",
        "Writes OUT/membership-scale.md (a markdown table) and OUT/membership-scale-*.png, and prints the table."
    })
public final class MembershipScaleCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--sizes", split = ",", paramLabel = "N[,N...]", defaultValue = "10,100,1000,10000",
        description = "Cluster sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of every run (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--window", paramLabel = "SECONDS", defaultValue = "120",
        description = "Virtual seconds of each loss and slow-member run (default: ${DEFAULT-VALUE}).")
    long windowSeconds;

    @Option(names = "--running-from", paramLabel = "N", defaultValue = "10000",
        description = "Sizes from N up start as a cluster that has been running (everyone in every view, nothing " +
            "queued) instead of joining through one seed, whose storm of N full-state exchanges and N^2 queued " +
            "updates does not fit a few GB of heap at 10,000; no join time is measured for them " +
            "(default: ${DEFAULT-VALUE}).")
    int runningFrom;

    @Option(names = "--max-loss-running", paramLabel = "P", defaultValue = "1",
        description = "The highest of the 1%%, 5%% and 10%% loss runs made at sizes started as a running cluster; " +
            "higher ones are marked not run (default: all).")
    double maxLossRunning;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "docs",
        description = "Where the table and the plots go (default: ${DEFAULT-VALUE}).")
    Path out;

    public Integer call() throws IOException
    {
        for (final int size : sizes)
        {
            if (size < 10 || size > 100_000)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--sizes must be 10 to 100000 each: " + size);
            }
        }
        if (windowSeconds < 10)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--window must be at least 10 seconds");
        }
        System.setProperty("java.awt.headless", "true");
        final PrintWriter log = spec.commandLine().getErr();
        final ScaleSweep sweep = new ScaleSweep(seed, windowSeconds, runningFrom, maxLossRunning, log);
        final List<ScaleSweep.Result> results = new ArrayList<>();
        for (final int size : sizes)
        {
            log.printf("membership scale: %d members (seed %d)%n", size, seed);
            log.flush();
            final ScaleSweep.Result result = sweep.run(size);
            log.printf("  N=%d done in %.1f s of wall time%n", size, result.wallMs() / 1000.0);
            results.add(result);
        }

        final String table = table(results);
        Files.createDirectories(out);
        Files.writeString(out.resolve("membership-scale.md"), table, StandardCharsets.UTF_8);
        plots(results);
        final PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(table);
        stdout.flush();
        return 0;
    }

    static String table(final List<ScaleSweep.Result> results)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("| members | join converged (s) | msgs / member / s | bytes / member / s | update to 99.9% (ms, gossip rounds) " +
            "| crash: first suspect (s) | crash: dead to all (s) | false DEAD at 1% / 5% / 10% loss " +
            "| slow members | refutations by healthy members, health on / off | by slow members, on / off " +
            "| live declared dead, on / off | wall time (s) |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final ScaleSweep.Result r : results)
        {
            sb.append(String.format(Locale.ROOT,
                "| %,d | %s | %.2f | %.0f | %d (%.1f) | %s | %s | %s / %s / %s | %d | %d / %d | %d / %d | %d / %d | %.0f |%n",
                r.nodes(), r.running() ? "started running" : seconds(r.convergeMs()), r.messagesPerMemberPerSecond(),
                r.bytesPerMemberPerSecond(),
                r.disseminationMs(), r.disseminationRounds(), seconds(r.firstSuspectMs()), seconds(r.allDeadMs()),
                count(r.falseDeadAtLoss()[0]), count(r.falseDeadAtLoss()[1]), count(r.falseDeadAtLoss()[2]),
                r.slowMembers(),
                r.healthyRefutations()[0], r.healthyRefutations()[1], r.slowRefutations()[0], r.slowRefutations()[1],
                r.slowFalseDead()[0], r.slowFalseDead()[1], r.wallMs() / 1000.0));
        }
        final long window = results.isEmpty() ? 0 : results.get(0).windowSeconds();
        sb.append(String.format(Locale.ROOT, "%nSimulated with memberlist's LAN timings; loss and slow-member runs last %d " +
            "virtual seconds each; wall time is for all of a row's runs. \"started running\": the members started " +
            "as a cluster that had been running (everyone in every view), so no join was measured.%n", window));
        return sb.toString();
    }

    private void plots(final List<ScaleSweep.Result> results) throws IOException
    {
        final int count = results.size();
        final double[] n = new double[count];
        final double[] messages = new double[count];
        final double[] bytes = new double[count];
        final double[] rounds = new double[count];
        final double[] firstSuspect = new double[count];
        final double[] allDead = new double[count];
        final double[][] lossDead = new double[ScaleSweep.LOSSES.length][count];
        final double[][] healthy = new double[2][count];
        final double[][] slowDead = new double[2][count];
        for (int i = 0; i < count; i++)
        {
            final ScaleSweep.Result r = results.get(i);
            n[i] = r.nodes();
            messages[i] = r.messagesPerMemberPerSecond();
            bytes[i] = r.bytesPerMemberPerSecond();
            rounds[i] = r.disseminationRounds();
            firstSuspect[i] = r.firstSuspectMs() < 0 ? -1 : r.firstSuspectMs() / 1000.0;
            allDead[i] = r.allDeadMs() < 0 ? -1 : r.allDeadMs() / 1000.0;
            for (int l = 0; l < ScaleSweep.LOSSES.length; l++)
            {
                lossDead[l][i] = r.falseDeadAtLoss()[l];
            }
            for (int h = 0; h < 2; h++)
            {
                healthy[h][i] = r.healthyRefutations()[h];
                slowDead[h][i] = r.slowFalseDead()[h];
            }
        }
        final String members = "members (log scale)";
        new LinePlot("Datagrams sent per member per second", members, "datagrams / member / s")
            .series("messages", n, messages).write(out.resolve("membership-scale-messages.png"));
        new LinePlot("Bytes sent per member per second", members, "bytes / member / s")
            .series("bytes", n, bytes).write(out.resolve("membership-scale-bytes.png"));
        final double[] log2 = new double[count];
        for (int i = 0; i < count; i++)
        {
            log2[i] = Math.log(n[i]) / Math.log(2);
        }
        new LinePlot("One update to 99.9% of members", members, "gossip rounds (200 ms)")
            .series("measured", n, rounds).series("log2(N), for shape", n, log2)
            .write(out.resolve("membership-scale-dissemination.png"));
        new LinePlot("Detection of a crashed member", members, "seconds after the crash")
            .series("first suspicion", n, firstSuspect).series("dead to every survivor", n, allDead)
            .write(out.resolve("membership-scale-detection.png"));
        final LinePlot loss = new LinePlot("Live members declared dead under loss", members, "false DEAD declarations");
        for (int l = 0; l < ScaleSweep.LOSSES.length; l++)
        {
            loss.series(String.format(Locale.ROOT, "%.0f%% loss", ScaleSweep.LOSSES[l] * 100), n, lossDead[l]);
        }
        loss.write(out.resolve("membership-scale-false-dead.png"));
        new LinePlot("Slow members: false suspicions of healthy members", members, "count over the window")
            .series("health score on", n, healthy[0]).series("health score off", n, healthy[1])
            .series("live declared dead, on", n, slowDead[0]).series("live declared dead, off", n, slowDead[1])
            .write(out.resolve("membership-scale-slow-members.png"));
    }

    private static String count(final long count)
    {
        return count < 0 ? "not run" : Long.toString(count);
    }

    private static String seconds(final long ms)
    {
        return ms < 0 ? "not reached" : String.format(Locale.ROOT, "%.1f", ms / 1000.0);
    }
}
