package io.swimlog.membership.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The experiment behind {@code swimlog membership sim}: its report carries the fields scripts rely on.
 */
@Timeout(60)
class SimulationScenarioTest
{
    @Test
    void reportsConvergenceTrafficDetectionAndFalseDeaths()
    {
        final SimulationScenario.Report report = new SimulationScenario()
            .nodes(30).seed(3).kill(2).durationSeconds(90).run();
        assertThat(report.convergeMs()).isPositive();
        assertThat(report.messagesPerMemberPerSecond()).isBetween(1.0, 4.0);
        assertThat(report.crashes()).hasSize(2);
        assertThat(report.crashes()).allSatisfy(crash ->
        {
            assertThat(crash.timeToFirstSuspectNs()).isPositive();
            assertThat(crash.timeToAllDeadNs()).isGreaterThan(crash.timeToFirstSuspectNs());
        });
        assertThat(report.falseDead()).isZero();
        assertThat(report.converged()).isTrue();
        assertThat(report.toJson()).contains("\"nodes\":30", "\"start\":\"join\"", "\"loss\":0.0",
            "\"virtual_seconds\":",
            "\"converge_ms\":", "\"messages_per_member_per_second\":", "\"bytes_per_member_per_second\":",
            "\"false_dead\":0", "\"first_suspect_ms\":", "\"all_dead_ms\":");
        assertThat(report.toText()).contains("join converged after", "crashed node-");
    }

    @Test
    void aRunningClusterOf500DetectsCrashesWithoutFalseDeaths()
    {
        final SimulationScenario.Report report = new SimulationScenario()
            .nodes(500).seed(5).kill(2).durationSeconds(40).start(SimulationScenario.Start.RUNNING).run();
        assertThat(report.start()).isEqualTo("running");
        assertThat(report.convergeMs()).isZero();
        assertThat(report.crashes()).hasSize(2).allSatisfy(crash ->
        {
            assertThat(crash.timeToFirstSuspectNs()).isPositive();
            assertThat(crash.timeToAllDeadNs()).isGreaterThan(crash.timeToFirstSuspectNs());
        });
        assertThat(report.falseDead()).isZero();
        assertThat(report.converged()).isTrue();
        // About 2 (a probe and its ack) plus the gossip of two crashes' suspicions, their confirmations by the
        // members that fail to probe them (each re-gossiped, as Lifeguard does) and the deaths: 2.2 without crashes,
        // 4.0 here.
        assertThat(report.messagesPerMemberPerSecond()).isBetween(1.5, 4.5);
        assertThat(report.toJson()).contains("\"start\":\"running\"", "\"converge_ms\":0");
        assertThat(report.toText()).contains("started as a running cluster");
    }

    @Test
    void twoHundredMembersJoiningThroughOneSeedConvergeAndDetectACrash()
    {
        final SimulationScenario.Report report = new SimulationScenario()
            .nodes(200).seed(6).kill(1).durationSeconds(60).run();
        assertThat(report.start()).isEqualTo("join");
        assertThat(report.convergeMs()).isPositive();
        assertThat(report.crashes()).singleElement()
            .satisfies(crash -> assertThat(crash.timeToAllDeadNs()).isPositive());
        assertThat(report.falseDead()).isZero();
        assertThat(report.converged()).isTrue();
        assertThat(report.peakBytesInFlight()).isPositive();
    }

    @Test
    void sameSeedSameFigures()
    {
        final SimulationScenario.Report a = new SimulationScenario().nodes(20).seed(8).loss(0.05).kill(1)
            .durationSeconds(60).run();
        final SimulationScenario.Report b = new SimulationScenario().nodes(20).seed(8).loss(0.05).kill(1)
            .durationSeconds(60).run();
        assertThat(a.toJson().replaceAll("\"wall_ms\":\\d+", ""))
            .isEqualTo(b.toJson().replaceAll("\"wall_ms\":\\d+", ""));
    }

    @Test
    void rejectsSettingsThatMakeNoSense()
    {
        assertThatThrownBy(() -> new SimulationScenario().nodes(1)).hasMessageContaining("--nodes");
        assertThatThrownBy(() -> new SimulationScenario().loss(1.0)).hasMessageContaining("--loss");
        assertThatThrownBy(() -> new SimulationScenario().kill(-1)).hasMessageContaining("--kill");
        assertThatThrownBy(() -> new SimulationScenario().durationSeconds(0)).hasMessageContaining("--duration");
        assertThatThrownBy(() -> new SimulationScenario().nodes(3).kill(3).run()).hasMessageContaining("--kill");
    }
}
