package io.swimlog.membership.sim;

import io.swimlog.membership.MemberState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.swimlog.membership.sim.Simulation.MILLIS;
import static io.swimlog.membership.sim.Simulation.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The protocol end to end: 50 members on the simulated network, LAN profile, fixed seeds. A failure message names
 * the seed; set {@code -Dswimlog.sim.seed=S} to replay a run with another seed.
 */
@Timeout(60)
class MembershipSimulationTest
{
    private static final int MEMBERS = 50;

    private static long seed(final long fixed)
    {
        return Long.getLong("swimlog.sim.seed", fixed);
    }

    private static Simulation converged(final long seed)
    {
        final Simulation sim = new Simulation(seed, null);
        sim.startCluster(MEMBERS, SECONDS);
        assertThat(sim.runUntil(sim::viewsConverged, 60 * SECONDS, 100 * MILLIS))
            .as("views converge, %s", sim).isTrue();
        return sim;
    }

    @Test
    void everyoneConverges()
    {
        final Simulation sim = converged(seed(1));
        sim.runFor(30 * SECONDS);
        assertThat(sim.viewsConverged()).as("still one view, %s", sim).isTrue();
        assertThat(sim.falseDead()).as("false deaths %s, %s", sim.falseDeadReports(), sim).isZero();
    }

    @Test
    void crashedMemberIsDeclaredDeadByEverySurvivor()
    {
        final Simulation sim = converged(seed(2));
        final Simulation.Crash crash = sim.crash(17);
        assertThat(sim.runUntil(() -> sim.allSee(17, MemberState.DEAD), 60 * SECONDS, 100 * MILLIS))
            .as("all survivors see the crashed member DEAD, %s", sim).isTrue();
        assertThat(crash.timeToFirstSuspectNs()).isPositive();
        assertThat(crash.timeToAllDeadNs()).isGreaterThanOrEqualTo(crash.timeToFirstSuspectNs());
        assertThat(sim.falseDead()).as("false deaths %s, %s", sim.falseDeadReports(), sim).isZero();
    }
}
