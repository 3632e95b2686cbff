package io.swimlog.membership.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.swimlog.membership.sim.Simulation.MILLIS;
import static io.swimlog.membership.sim.Simulation.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * 500 members, started running, lose 15% of every datagram for two minutes: no live member is declared dead, and
 * the views are one again soon after the loss ends.
 * <p>
 * Before the second direct ping of a failing probe and before push-pulls stopped counting as confirmations of a
 * suspicion, this seed declared two live members dead (at 24 and 25 s, each by a member the refutation had missed
 * whose suspicion push-pulls had confirmed, so it ran out at the minimum timeout with no last chance); seeds 1 to 8
 * declared 18 in all, and with the second ping alone 5.
 */
@Timeout(120)
class HighLossSimulationTest
{
    private static final int MEMBERS = 500;

    @Test
    void fifteenPercentLossDeclaresNoLiveMemberDead()
    {
        final Simulation sim = new Simulation(Long.getLong("swimlog.sim.seed", 1), null);
        sim.startRunningCluster(MEMBERS);
        sim.network().loss(0.15);
        sim.runFor(120 * SECONDS);
        assertThat(sim.falseDead()).as("false deaths %s, %s", sim.falseDeadReports(), sim).isZero();

        sim.network().loss(0);
        assertThat(sim.runUntil(sim::viewsConverged, 60 * SECONDS, 500 * MILLIS))
            .as("one view again after the loss, %s", sim).isTrue();
    }
}
