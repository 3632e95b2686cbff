package io.swimlog.tools.membership;

import io.swimlog.tools.JsonLine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * Measures, on this machine, the time from SIGKILL of one member of a five-process cluster until every survivor
 * has declared it dead (and until the first one suspected it), over several trials, with a fresh cluster each.
 * <p>
 * Run after {@code mvn -pl tools -am verify} (or package) has built the jar and the test classes:
 * <pre>
 * java -cp tools/target/test-classes -Dswimlog.jar=tools/target/swimlog.jar \
 *     io.swimlog.tools.membership.KillDetectionBenchmark [--trials 5] [--members 5] [--profile lan|wan|local]
 * </pre>
 * Prints one JSON line per trial, then a summary line with the medians. Times come from the survivors' event
 * timestamps (epoch ms, same machine) less the time the kill was sent.
 */
public final class KillDetectionBenchmark
{
    private KillDetectionBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        int trials = 5;
        int members = 5;
        String profile = "lan";
        for (int i = 0; i < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--trials" -> trials = Integer.parseInt(args[i + 1]);
                case "--members" -> members = Integer.parseInt(args[i + 1]);
                case "--profile" -> profile = args[i + 1];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }

        final String jar = MemberProcess.jar();
        final long[] allDeadMs = new long[trials];
        final long[] firstSuspectMs = new long[trials];
        for (int trial = 0; trial < trials; trial++)
        {
            try (MemberCluster cluster = MemberCluster.start(jar, members, List.of("--profile", profile), 120_000))
            {
                final MemberProcess victim = cluster.get(members - 1);
                final List<MemberProcess> survivors = cluster.others(victim);

                final long killedAtMs = System.currentTimeMillis();
                victim.kill();
                MemberCluster.await("every survivor declares " + victim.id() + " dead", 180_000,
                    () -> survivors.stream().allMatch(p -> p.hasEvent("dead", victim.id())));

                long lastDead = Long.MIN_VALUE;
                long firstSuspect = Long.MAX_VALUE;
                final List<Long> deadBySurvivor = new ArrayList<>();
                for (final MemberProcess survivor : survivors)
                {
                    final long dead = survivor.firstTime("dead", victim.id()).getAsLong() - killedAtMs;
                    deadBySurvivor.add(dead);
                    lastDead = Math.max(lastDead, dead);
                    final OptionalLong suspect = survivor.firstTime("suspected", victim.id());
                    if (suspect.isPresent())
                    {
                        firstSuspect = Math.min(firstSuspect, suspect.getAsLong() - killedAtMs);
                    }
                }
                allDeadMs[trial] = lastDead;
                firstSuspectMs[trial] = firstSuspect == Long.MAX_VALUE ? -1 : firstSuspect;
                System.out.println(new JsonLine()
                    .field("trial", trial + 1)
                    .field("profile", profile)
                    .field("members", members)
                    .field("first_suspect_ms", firstSuspectMs[trial])
                    .field("all_dead_ms", allDeadMs[trial])
                    .field("dead_by_survivor_ms", deadBySurvivor.toString()));
            }
        }
        System.out.println(new JsonLine()
            .field("profile", profile)
            .field("members", members)
            .field("trials", trials)
            .field("median_first_suspect_ms", median(firstSuspectMs))
            .field("median_all_dead_ms", median(allDeadMs))
            .field("min_all_dead_ms", Arrays.stream(allDeadMs).min().orElse(-1))
            .field("max_all_dead_ms", Arrays.stream(allDeadMs).max().orElse(-1)));
    }

    private static long median(final long[] values)
    {
        final long[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
