package io.swimlog.membership;

import io.swimlog.membership.MembershipCounters.Counter;
import io.swimlog.membership.sim.Simulation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.swimlog.membership.sim.Simulation.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * memberlist's push-pull scaling: above 32 members the full-state exchange interval is multiplied by
 * {@code ceil(log2(N) - log2(32)) + 1}, so that its cost per member stays flat as the cluster grows.
 */
@Timeout(60)
class PushPullScaleTest
{
    private static final long INTERVAL = 30 * SECONDS;

    @Test
    void intervalIsUnchangedUpTo32MembersThenGrowsWithLog2()
    {
        assertThat(MembershipCore.pushPullScale(INTERVAL, 1)).isEqualTo(INTERVAL);
        assertThat(MembershipCore.pushPullScale(INTERVAL, 32)).isEqualTo(INTERVAL);
        assertThat(MembershipCore.pushPullScale(INTERVAL, 33)).isEqualTo(2 * INTERVAL);
        assertThat(MembershipCore.pushPullScale(INTERVAL, 64)).isEqualTo(2 * INTERVAL);
        assertThat(MembershipCore.pushPullScale(INTERVAL, 65)).isEqualTo(3 * INTERVAL);
        assertThat(MembershipCore.pushPullScale(INTERVAL, 100)).isEqualTo(3 * INTERVAL);
        assertThat(MembershipCore.pushPullScale(INTERVAL, 1_000)).isEqualTo(6 * INTERVAL);
        assertThat(MembershipCore.pushPullScale(INTERVAL, 1_024)).isEqualTo(6 * INTERVAL);
        assertThat(MembershipCore.pushPullScale(INTERVAL, 1_025)).isEqualTo(7 * INTERVAL);
        assertThat(MembershipCore.pushPullScale(INTERVAL, 10_000)).isEqualTo(10 * INTERVAL);
    }

    @Test
    void aClusterOf100ExchangesStateEvery90SecondsAndOneOf20Every30()
    {
        // Each exchange a member starts costs two counted push-pulls: its own and the reply.
        assertThat(pushPullsPerMemberPerMinute(100)).isBetween(0.8 * 2 * 60 / 90.0, 1.2 * 2 * 60 / 90.0);
        assertThat(pushPullsPerMemberPerMinute(20)).isBetween(0.8 * 2 * 60 / 30.0, 1.2 * 2 * 60 / 30.0);
    }

    private static double pushPullsPerMemberPerMinute(final int members)
    {
        final Simulation sim = new Simulation(11, ctx -> ctx.pushPullIntervalMs(30_000));
        sim.startRunningCluster(members);
        final long minutes = 15;
        sim.runFor(minutes * 60 * SECONDS);
        assertThat(sim.viewsConverged()).isTrue();
        long total = 0;
        for (int i = 0; i < members; i++)
        {
            total += sim.core(i).counters().get(Counter.PUSH_PULLS);
        }
        return total / (double)(members * minutes);
    }
}
