package io.swimlog.membership.sim;

import io.swimlog.membership.MembershipCounters.Counter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.swimlog.membership.sim.Simulation.MILLIS;
import static io.swimlog.membership.sim.Simulation.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gossip queues far smaller than the cluster: a join of 60 members through one seed with room for 4 queued
 * messages a member drops most of its news, and push-pull still brings every view to the whole cluster; 10% loss
 * afterwards declares no live member dead, and the views are one again after it.
 */
@Timeout(60)
class BoundedQueueSimulationTest
{
    private static final int MEMBERS = 60;
    private static final int QUEUE = 4;

    @Test
    void pushPullCompletesAJoinWhoseNewsTheFullQueuesDropped()
    {
        final Simulation sim = new Simulation(Long.getLong("swimlog.sim.seed", 11), ctx -> ctx
            .maxQueuedBroadcasts(QUEUE)
            .pushPullIntervalMs(5_000));
        sim.startCluster(MEMBERS, SECONDS);
        final boolean converged = sim.runUntil(() ->
        {
            assertThat(sim.queuedBroadcasts()).as("bounded queues, %s", sim).isLessThanOrEqualTo(2L * QUEUE * MEMBERS);
            return sim.viewsConverged();
        }, 300 * SECONDS, 100 * MILLIS);
        assertThat(converged).as("views converge, %s", sim).isTrue();
        assertThat(dropped(sim)).as("the bound was reached").isPositive();

        sim.network().loss(0.10);
        sim.runFor(120 * SECONDS);
        assertThat(sim.falseDead()).as("false deaths %s, %s", sim.falseDeadReports(), sim).isZero();
        sim.network().loss(0);
        assertThat(sim.runUntil(sim::viewsConverged, 120 * SECONDS, 100 * MILLIS))
            .as("one view again after the loss, %s", sim).isTrue();
    }

    private static long dropped(final Simulation sim)
    {
        long dropped = 0;
        for (int i = 0; i < sim.size(); i++)
        {
            // Refreshed on each of the member's timer ticks: at most a tick behind.
            dropped += sim.core(i).counters().get(Counter.BROADCASTS_DROPPED);
        }
        return dropped;
    }
}
