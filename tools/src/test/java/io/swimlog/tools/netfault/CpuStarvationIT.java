package io.swimlog.tools.netfault;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lifeguard's experiment on real processes: one member's JVM is held to a small CPU share (cgroup v1
 * {@code cpu.cfs_quota_us}) while four healthy members run normally, and the false accusations of healthy
 * members are counted, once with the local health score on (awareness max multiplier 8, the profile's value)
 * and once off (multiplier 1: the score stays 0, so nothing stretches the slow member's timeouts).
 * <p>
 * {@code membership run} has no flag for the health score, so these members run as {@link TunableMember}, the
 * same start-up and JSON lines with that one extra setting. The counts are measured and printed (a slow member
 * is a chance, not a certainty, of a false suspicion); what is asserted: the quota really held the member back,
 * and with the health score on no healthy member was declared dead.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class CpuStarvationIT
{
    private static final List<String> TIMING = List.of(
        "--profile", "local", "--probe-interval-ms", "500", "--probe-timeout-ms", "200", "--suspicion-mult", "4",
        "--gossip-interval-ms", "100");
    /**
     * 2% of a CPU in 20 ms slices once a second: a throttled member waits up to 980 ms, far beyond the 200 ms
     * probe timeout, as a member on an overcommitted host does. (5 ms per 100 ms, tried first, never keeps an
     * ack waiting beyond the probe timeout, so nothing is suspected.)
     */
    private static final long QUOTA_US = Long.getLong("swimlog.netfault.cpu.quota.us", 20_000);
    private static final long PERIOD_US = Long.getLong("swimlog.netfault.cpu.period.us", 1_000_000);
    private static final long STARVE_MS = Long.getLong("swimlog.netfault.cpu.starve.ms", 20_000);
    /** After the quota is lifted: long enough for a suspicion raised at the end to end in refutation or death. */
    private static final long SETTLE_MS = 6_000;
    private static final int STARVED = 4;

    private FaultCluster cluster;
    private CpuQuota quota;

    @BeforeEach
    void requireNamespacesAndCgroups()
    {
        FaultNetwork.assumeAvailable();
        CpuQuota.assumeAvailable();
    }

    @AfterEach
    void removeEverything()
    {
        try
        {
            if (null != cluster)
            {
                cluster.close();
            }
        }
        finally
        {
            if (null != quota)
            {
                quota.close();
            }
        }
    }

    @Test
    void healthScoreOnNoHealthyMemberIsDeclaredDeadBecauseOfAStarvedOne() throws Exception
    {
        final Accusations accusations = starveOneMember(8);
        assertThat(accusations.deadHealthy).as("healthy members declared dead: " + accusations.deadLines).isZero();
    }

    @Test
    void healthScoreOffAccusationsOfHealthyMembersAreCounted() throws Exception
    {
        final Accusations accusations = starveOneMember(1);
        assertThat(accusations.throttledPeriods).isPositive();
    }

    private Accusations starveOneMember(final int awarenessMaxMultiplier) throws IOException, InterruptedException
    {
        final List<String> args = new ArrayList<>(TIMING);
        args.addAll(List.of("--awareness-max-multiplier", Integer.toString(awarenessMaxMultiplier)));
        cluster = FaultCluster.start(5, (id, bind, seed) -> MemberJvm.tunableCommand(id, bind, seed, args), 60_000);
        final MemberJvm starved = cluster.get(STARVED);

        quota = CpuQuota.create("swimlog-starve", QUOTA_US, PERIOD_US);
        final long startMs = System.currentTimeMillis();
        quota.add(starved.pid());
        FaultCluster.assertNeverWithin("the starved member exited", STARVE_MS, () -> !starved.isAlive());
        final long throttled = quota.throttledPeriods();
        quota.close();
        quota = null;
        FaultCluster.assertNeverWithin("the starved member exited", SETTLE_MS, () -> !starved.isAlive());

        final Accusations accusations = count(startMs, throttled);
        System.out.printf("CpuStarvationIT: health score %s (awareness max multiplier %d), m4 held to %d us per %d us " +
                "for %d ms (%d periods throttled): healthy members suspected %d times (%d of them by m4 itself, " +
                "%d distinct members), declared dead %d times; m4 suspected %d times, declared dead %d times%n",
            awarenessMaxMultiplier > 1 ? "on" : "off", awarenessMaxMultiplier, QUOTA_US, PERIOD_US, STARVE_MS,
            throttled, accusations.suspectedHealthy, accusations.suspectedHealthyByStarved,
            accusations.distinctHealthySuspected, accusations.deadHealthy, accusations.suspectedStarved,
            accusations.deadStarved);
        return accusations;
    }

    private Accusations count(final long fromMs, final long throttled)
    {
        final Accusations a = new Accusations();
        a.throttledPeriods = throttled;
        final boolean[] suspected = new boolean[5];
        for (final MemberJvm observer : cluster.members())
        {
            for (final Map<String, Object> e : observer.events())
            {
                final Object time = e.get("time");
                final String member = (String)e.get("member");
                if (!(time instanceof Long) || (Long)time < fromMs || null == member || member.equals(observer.id()))
                {
                    continue;
                }
                final boolean healthy = !("m" + STARVED).equals(member);
                if ("suspected".equals(e.get("event")))
                {
                    if (healthy)
                    {
                        a.suspectedHealthy++;
                        suspected[Integer.parseInt(member.substring(1))] = true;
                        if (observer.id().equals("m" + STARVED))
                        {
                            a.suspectedHealthyByStarved++;
                        }
                    }
                    else
                    {
                        a.suspectedStarved++;
                    }
                }
                else if ("dead".equals(e.get("event")))
                {
                    if (healthy)
                    {
                        a.deadHealthy++;
                        a.deadLines.add(observer.id() + " declared " + member + " dead at " + time);
                    }
                    else
                    {
                        a.deadStarved++;
                    }
                }
            }
        }
        for (final boolean s : suspected)
        {
            a.distinctHealthySuspected += s ? 1 : 0;
        }
        return a;
    }

    private static final class Accusations
    {
        long throttledPeriods;
        int suspectedHealthy;
        int suspectedHealthyByStarved;
        int distinctHealthySuspected;
        int deadHealthy;
        int suspectedStarved;
        int deadStarved;
        final List<String> deadLines = new ArrayList<>();
    }
}
