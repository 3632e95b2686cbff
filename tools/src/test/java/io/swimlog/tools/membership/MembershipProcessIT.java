package io.swimlog.tools.membership;

import io.swimlog.membership.aeron.EmbeddedMediaDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Five {@code swimlog membership run} JVMs on loopback, killed with SIGKILL and paused with SIGSTOP as a real
 * crash and a real stall (long GC, swapped-out VM) would.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MembershipProcessIT
{
    /**
     * Quick probing so the class runs in well under two minutes; suspicion and retransmit multipliers 4 as in
     * LAN, and a short push-pull interval, so that joining converges in a second or two.
     */
    private static final List<String> FAST = List.of(
        "--profile", "local", "--probe-interval-ms", "250", "--probe-timeout-ms", "125", "--suspicion-mult", "4",
        "--gossip-interval-ms", "100", "--retransmit-mult", "4", "--push-pull-interval-ms", "2000");

    /**
     * Slower probing for the pause test: the shortest suspicion timeout, suspicion-mult * log10(5) * probe
     * interval = 6 * 0.7 * 500 ms = 2.1 s, leaves a clear margin over the 1.2 s pause.
     */
    private static final List<String> PATIENT = List.of(
        "--profile", "local", "--probe-interval-ms", "500", "--probe-timeout-ms", "200", "--suspicion-mult", "6",
        "--gossip-interval-ms", "100", "--retransmit-mult", "4", "--push-pull-interval-ms", "2000");
    private static final long PAUSE_MS = 1_200;

    private MemberCluster cluster;

    private final List<MemberProcess> loners = new java.util.ArrayList<>();

    private MemberProcess started(final MemberProcess process)
    {
        loners.add(process);
        return process;
    }

    private static List<String> concat(final List<String> first, final List<String> second)
    {
        final List<String> all = new java.util.ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    @AfterEach
    void killEveryProcess()
    {
        loners.forEach(MemberProcess::close);
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"aeron", "udp"})
    void survivorsDeclareAKilledMemberDead(final String transport) throws Exception
    {
        cluster = MemberCluster.start(MemberProcess.jar(), 5, concat(FAST, List.of("--transport", transport)), 60_000);
        final MemberProcess victim = cluster.get(4);
        final List<MemberProcess> survivors = cluster.others(victim);

        victim.kill();
        MemberCluster.await("every survivor declares m4 dead", 30_000,
            () -> survivors.stream().allMatch(p -> p.hasEvent("dead", "m4")));

        for (final MemberProcess survivor : survivors)
        {
            assertThat(survivor.events()).as("dead events printed by " + survivor.id())
                .filteredOn(e -> "dead".equals(e.get("event")))
                .extracting(e -> e.get("member")).containsOnly("m4");
            assertThat(survivor.badLines()).as("non-JSON lines from " + survivor.id()).isEmpty();
        }
        assertThat(cluster.converged(survivors)).isTrue();
    }

    @Test
    void aMemberPausedForLessThanTheSuspicionTimeoutIsNotDeclaredDead() throws Exception
    {
        cluster = MemberCluster.start(MemberProcess.jar(), 5, PATIENT, 60_000);
        final MemberProcess paused = cluster.get(2);

        paused.pause();
        final long pausedAtNs = System.nanoTime();
        MemberCluster.assertNeverWithin("m2 was declared dead while paused", PAUSE_MS,
            () -> cluster.processes().stream().anyMatch(p -> p.hasEvent("dead", "m2")));
        paused.resume();
        final long pausedForMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAtNs);

        // Long enough after the resume for a suspicion raised during the pause to have expired, were it not refuted.
        MemberCluster.assertNeverWithin("m2 was declared dead after resuming", 4_000,
            () -> cluster.processes().stream().anyMatch(p -> p.hasEvent("dead", "m2")));
        MemberCluster.await("everyone sees everyone live again", 20_000, () -> cluster.converged(cluster.processes()));
        assertThat(pausedForMs).as("the pause must stay shorter than the 2.1 s minimum suspicion timeout")
            .isLessThan(2_000);
        for (final MemberProcess process : cluster.processes())
        {
            assertThat(process.events()).as("dead events printed by " + process.id())
                .noneMatch(e -> "dead".equals(e.get("event")));
        }
    }

    @Test
    void aMemberRunsOnAnExternalMediaDriver() throws Exception
    {
        try (EmbeddedMediaDriver external = EmbeddedMediaDriver.launch("external", Throwable::printStackTrace))
        {
            final MemberProcess onExternal = started(MemberProcess.start(MemberProcess.jar(), "ext", null,
                concat(FAST, List.of("--aeron-dir", external.aeronDirectoryName()))));
            MemberCluster.await("ext prints its address", 60_000,
                () -> null != onExternal.address() || !onExternal.process().isAlive());
            assertThat(onExternal.address()).as("ext started: %s", onExternal).isNotNull();
            final MemberProcess embedded = started(
                MemberProcess.start(MemberProcess.jar(), "emb", onExternal.address(), FAST));

            MemberCluster.await("ext and emb see each other", 60_000,
                () -> onExternal.hasEvent("joined", "emb") && embedded.hasEvent("joined", "ext"));
            assertThat(onExternal.terminate(20_000)).isZero();
            assertThat(external.aeron().isClosed()).as("the external driver outlives its client").isFalse();
        }
    }

    @Test
    void sigtermLeavesGracefullyAndExitsZero() throws Exception
    {
        cluster = MemberCluster.start(MemberProcess.jar(), 3, FAST, 60_000);
        final MemberProcess leaver = cluster.get(2);

        assertThat(leaver.terminate(20_000)).as("exit status after SIGTERM").isZero();
        MemberCluster.await("m0 and m1 see m2 left", 20_000,
            () -> cluster.get(0).hasEvent("left", "m2") && cluster.get(1).hasEvent("left", "m2"));

        assertThat(leaver.events().get(leaver.events().size() - 1))
            .containsEntry("event", "stopped").containsEntry("left", true);
        assertThat(cluster.get(0).hasEvent("dead", "m2")).isFalse();
    }
}
