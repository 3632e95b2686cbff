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

    @Test
    void noLiveMemberIsDeclaredDeadWithTenPercentLoss()
    {
        final Simulation sim = converged(seed(3));
        sim.network().loss(0.10);
        sim.runFor(180 * SECONDS);
        assertThat(sim.falseDead()).as("false deaths %s, %s", sim.falseDeadReports(), sim).isZero();
        sim.network().loss(0);
        assertThat(sim.runUntil(sim::viewsConverged, 30 * SECONDS, 100 * MILLIS))
            .as("one view once loss stops, %s", sim).isTrue();
    }

    @Test
    void memberPausedForLessThanTheSuspicionTimeoutRefutesAndStaysAlive()
    {
        final Simulation sim = converged(seed(4));
        final long incarnationBefore = sim.core(9).localIncarnation();
        sim.pause(9);
        // Suspicion at 50 members lasts at least 4 * log10(50) = 6.8 probe intervals.
        final boolean suspected = sim.runUntil(() -> countSuspecting(sim, 9) > 0, 5 * SECONDS, 10 * MILLIS);
        assertThat(suspected).as("paused member suspected, %s", sim).isTrue();
        sim.runFor(2 * SECONDS);
        sim.resume(9);
        assertThat(sim.runUntil(() -> sim.allSee(9, MemberState.ALIVE), 20 * SECONDS, 10 * MILLIS))
            .as("everyone sees the paused member alive again, %s", sim).isTrue();
        assertThat(sim.core(9).localIncarnation()).as("refuted with a higher incarnation")
            .isGreaterThan(incarnationBefore);
        assertThat(sim.core(9).counters().refutations()).isPositive();
        assertThat(sim.falseDead()).as("false deaths %s, %s", sim.falseDeadReports(), sim).isZero();
    }

    @Test
    void partitionIntoTwoHalvesAndItsHealEndInOneView()
    {
        final Simulation sim = converged(seed(5));
        sim.partition(MEMBERS / 2);
        assertThat(sim.runUntil(() -> sim.core(0).liveMemberCount() == MEMBERS / 2 &&
            sim.core(MEMBERS - 1).liveMemberCount() == MEMBERS / 2, 120 * SECONDS, 100 * MILLIS))
            .as("each half declares the other dead, %s", sim).isTrue();
        sim.runFor(30 * SECONDS);
        sim.heal();
        assertThat(sim.runUntil(sim::viewsConverged, 180 * SECONDS, 100 * MILLIS))
            .as("one view after the heal, %s", sim).isTrue();
    }

    @Test
    void leaveReachesEveryone()
    {
        final Simulation sim = converged(seed(6));
        sim.leave(21);
        assertThat(sim.runUntil(() -> sim.core(21).hasLeft(), 10 * SECONDS, 10 * MILLIS)).isTrue();
        sim.stopAfterLeave(21);
        assertThat(sim.runUntil(() -> sim.allSee(21, MemberState.LEFT), 10 * SECONDS, 10 * MILLIS))
            .as("everyone sees the member LEFT, %s", sim).isTrue();
        assertThat(sim.falseDead()).isZero();
        assertThat(sim.core(0).counters().deaths()).as("a leave is not a death").isZero();
    }

    @Test
    void restartedMemberRejoinsWithAHigherIncarnation()
    {
        final Simulation sim = converged(seed(7));
        sim.crash(33);
        assertThat(sim.runUntil(() -> sim.allSee(33, MemberState.DEAD), 60 * SECONDS, 100 * MILLIS)).isTrue();
        final long deadIncarnation = sim.core(0).member("node-33").incarnation();
        sim.restart(33);
        assertThat(sim.runUntil(sim::viewsConverged, 60 * SECONDS, 100 * MILLIS))
            .as("the restarted member is back in every view, %s", sim).isTrue();
        assertThat(sim.core(0).member("node-33").incarnation()).isGreaterThan(deadIncarnation);
        assertThat(sim.core(33).localIncarnation()).isGreaterThan(deadIncarnation);
    }

    @Test
    void restartedMemberThatWasNotYetDeclaredDeadRejoins()
    {
        final Simulation sim = converged(seed(8));
        final long before = sim.core(0).member("node-12").incarnation();
        sim.crash(12);
        sim.runFor(200 * MILLIS);
        sim.restart(12);
        assertThat(sim.runUntil(sim::viewsConverged, 60 * SECONDS, 100 * MILLIS))
            .as("views converge, %s", sim).isTrue();
        assertThat(sim.core(0).member("node-12").incarnation()).isGreaterThan(before);
    }

    @Test
    void sameSeedReplaysTheSameRun()
    {
        final Simulation a = new Simulation(seed(9), null);
        final Simulation b = new Simulation(seed(9), null);
        a.startCluster(20, SECONDS);
        b.startCluster(20, SECONDS);
        a.network().loss(0.05);
        b.network().loss(0.05);
        a.runFor(30 * SECONDS);
        b.runFor(30 * SECONDS);
        assertThat(a.messagesOut()).isEqualTo(b.messagesOut());
        assertThat(a.bytesOut()).isEqualTo(b.bytesOut());
        assertThat(a.network().dropped()).isEqualTo(b.network().dropped());
    }

    @Test
    void deadMembersAreForgottenAfterTheReclaimTime()
    {
        final Simulation sim = new Simulation(seed(10), ctx -> ctx.deadReclaimTimeMs(30_000));
        sim.startCluster(MEMBERS, SECONDS);
        assertThat(sim.runUntil(sim::viewsConverged, 60 * SECONDS, 100 * MILLIS)).isTrue();
        sim.crash(5);
        assertThat(sim.runUntil(() -> sim.allSee(5, MemberState.DEAD), 60 * SECONDS, 100 * MILLIS)).isTrue();
        assertThat(sim.runUntil(() -> sim.core(0).member("node-5") == null, 40 * SECONDS, 100 * MILLIS))
            .as("reclaimed, %s", sim).isTrue();
        sim.runFor(5 * SECONDS);
        for (int i = 0; i < MEMBERS; i++)
        {
            if (i != 5)
            {
                assertThat(sim.core(i).member("node-5")).as("member %d forgot node-5, %s", i, sim).isNull();
                assertThat(sim.core(i).knownMemberCount()).isEqualTo(MEMBERS - 1);
            }
        }
    }

    @Test
    void aPeerAnsweringOnlyIndirectProbesIsNamedInAWarning()
    {
        final Simulation sim = converged(seed(12));
        // Datagrams from member 4 to member 2 vanish: 2's pings reach 4, but 4's acks never come back directly.
        sim.network().cut(4, 2);
        assertThat(sim.runUntil(() -> sim.core(2).counters().get(
            io.swimlog.membership.MembershipCounters.Counter.ONE_WAY_WARNINGS) > 0, 600 * SECONDS, SECONDS))
            .as("member 2 warns, %s", sim).isTrue();
        assertThat(sim.warnings()).anyMatch(w -> w.contains("member node-4") && w.contains("node-2"));
        assertThat(sim.falseDead()).as("false deaths %s, %s", sim.falseDeadReports(), sim).isZero();
    }

    @Test
    void aUserBroadcastReachesEveryMemberOnceAndMetadataUpdatesSpread()
    {
        final Simulation sim = converged(seed(13));
        final byte[] payload = "leader=node-3".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        sim.core(3).broadcast(new org.agrona.concurrent.UnsafeBuffer(payload), 0, payload.length);
        sim.core(3).updateMetadata("role=leader".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        sim.poke(3);
        assertThat(sim.runUntil(() -> received(sim) == MEMBERS - 1, 30 * SECONDS, 100 * MILLIS))
            .as("broadcast delivered everywhere, %s", sim).isTrue();
        sim.runFor(30 * SECONDS);
        assertThat(received(sim)).as("each member received it exactly once").isEqualTo(MEMBERS - 1);
        for (int i = 0; i < MEMBERS; i++)
        {
            assertThat(sim.core(i).member("node-3").metadata()).asString(java.nio.charset.StandardCharsets.UTF_8)
                .isEqualTo("role=leader");
        }
    }

    private static long received(final Simulation sim)
    {
        long total = 0;
        for (int i = 0; i < sim.size(); i++)
        {
            total += sim.core(i).counters().get(io.swimlog.membership.MembershipCounters.Counter.BROADCASTS_RECEIVED);
        }
        return total;
    }

    private static int countSuspecting(final Simulation sim, final int index)
    {
        int count = 0;
        for (int i = 0; i < sim.size(); i++)
        {
            if (i != index && sim.core(i).stateOf(sim.memberId(index)) == MemberState.SUSPECT)
            {
                count++;
            }
        }
        return count;
    }
}
