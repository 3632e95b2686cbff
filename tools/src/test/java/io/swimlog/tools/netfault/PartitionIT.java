package io.swimlog.tools.netfault;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A partition {m0, m1} | {m2, m3, m4} made with nftables address sets: each side declares the other dead; after
 * the heal the cluster is one view again within {@link #HEAL_BOUND_MS}, with nobody restarted: the members'
 * periodic reconnect to recently dead members and seeds (every 5 s in the local profile; sooner once one dead member
 * is seen alive again) tells the far side it is held dead, so it refutes, and the two exchange whole views, so each
 * side learns whom the other holds dead and those refute too ({@code PartitionHealSimulationTest} checks the same
 * heal over many seeds in simulation).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class PartitionIT
{
    private static final List<String> TIMING = List.of(
        "--profile", "local", "--probe-interval-ms", "500", "--probe-timeout-ms", "200", "--suspicion-mult", "4",
        "--gossip-interval-ms", "100");
    private static final long DEAD_BOUND_MS = 30_000;
    /**
     * The bound for one view after the heal: up to one reconnect interval (5 s) before a side reaches the other,
     * then two whole views exchanged and refutations gossiped in about a second; three times that for a loaded
     * machine.
     */
    static final long HEAL_BOUND_MS = 20_000;

    @RegisterExtension
    final FaultClusterExtension clusters = new FaultClusterExtension();

    @Test
    void eachSideDeclaresTheOtherDeadAndOneViewReturnsWithinTheBoundAfterTheHeal() throws Exception
    {
        final FaultCluster cluster = clusters.start(5, FaultCluster.run(TIMING), 60_000);
        final List<MemberJvm> small = cluster.members().subList(0, 2);
        final List<MemberJvm> large = cluster.members().subList(2, 5);

        final long partitionAtMs = System.currentTimeMillis();
        cluster.network().partition(Set.of(0, 1));
        FaultCluster.await("each side declares the other dead", DEAD_BOUND_MS,
            () -> FaultCluster.allSeeDead(small, large) && FaultCluster.allSeeDead(large, small));
        final long splitMs = System.currentTimeMillis() - partitionAtMs;

        cluster.network().healAll();
        final long healAtMs = System.currentTimeMillis();
        FaultCluster.await("one view within " + HEAL_BOUND_MS + " ms of the heal", HEAL_BOUND_MS,
            () -> cluster.converged(cluster.members()));

        System.out.printf("PartitionIT: sides declared each other dead %d ms after the partition; " +
            "one view %d ms after the heal (bound %d ms)%n", splitMs, System.currentTimeMillis() - healAtMs,
            HEAL_BOUND_MS);
    }
}
