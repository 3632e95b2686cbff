package io.swimlog.tools.netfault;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member that can send but receives nothing (nftables drops its input): the others suspect it and declare it
 * dead; when the cut heals it finds out it was declared dead and rejoins with a higher incarnation.
 * <p>
 * Over Aeron a one-way UDP cut also stops the cut member's sending after a while: a publication needs the
 * receiver's status messages to stay connected, and those are among the datagrams dropped.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class OneWayCutIT
{
    private static final List<String> TIMING = List.of(
        "--profile", "local", "--probe-interval-ms", "500", "--probe-timeout-ms", "200", "--suspicion-mult", "4",
        "--gossip-interval-ms", "100");
    /** Worst case of suspicion: 6 x 4 x 500 ms = 12 s with no confirmations, plus probing and a loaded machine. */
    private static final long DEAD_BOUND_MS = 30_000;
    /** Reconnect probing of dead members and seeds every 5 s (local profile), then refutation and gossip. */
    private static final long REJOIN_BOUND_MS = 30_000;

    @RegisterExtension
    final FaultClusterExtension clusters = new FaultClusterExtension();

    @Test
    void aMemberThatCannotReceiveIsDeclaredDeadAndRejoinsWithAHigherIncarnationAfterTheHeal() throws Exception
    {
        final FaultCluster cluster = clusters.start(5, FaultCluster.run(TIMING), 60_000);
        final MemberJvm victim = cluster.get(4);
        final List<MemberJvm> others = cluster.members().subList(0, 4);

        final long cutAtMs = System.currentTimeMillis();
        cluster.network().cutIncoming(4);
        FaultCluster.await("every other member declares m4 dead", DEAD_BOUND_MS,
            () -> FaultCluster.allSeeDead(others, List.of(victim)));
        for (final MemberJvm other : others)
        {
            assertThat(other.hasEvent("suspected", "m4")).as(other.id() + " suspected m4 first").isTrue();
        }
        assertThat(cluster.network().droppedPackets(4)).as("datagrams dropped at m4").isPositive();
        final long deadAtMs = System.currentTimeMillis();
        final long deadIncarnation = maxDeadIncarnation(others, "m4");

        cluster.network().heal(4);
        final long healAtMs = System.currentTimeMillis();
        FaultCluster.await("every member sees m4 alive with an incarnation above " + deadIncarnation,
            REJOIN_BOUND_MS, () -> others.stream().allMatch(o -> liveAbove(o.lastAbout("m4"), deadIncarnation)));
        FaultCluster.await("one view again", REJOIN_BOUND_MS, () -> cluster.converged(cluster.members()));

        System.out.printf("OneWayCutIT: m4 dead to all %d ms after the cut (incarnation %d); " +
            "back in one view %d ms after the heal (incarnation %s)%n", deadAtMs - cutAtMs, deadIncarnation,
            System.currentTimeMillis() - healAtMs, cluster.get(0).lastAbout("m4").get("incarnation"));
    }

    private static long maxDeadIncarnation(final List<MemberJvm> observers, final String member)
    {
        long max = -1;
        for (final MemberJvm observer : observers)
        {
            for (final Map<String, Object> e : observer.events())
            {
                if ("dead".equals(e.get("event")) && member.equals(e.get("member")))
                {
                    max = Math.max(max, (Long)e.get("incarnation"));
                }
            }
        }
        return max;
    }

    private static boolean liveAbove(final Map<String, Object> last, final long incarnation)
    {
        return null != last && ("joined".equals(last.get("event")) || "alive".equals(last.get("event")) ||
            "updated".equals(last.get("event"))) && (Long)last.get("incarnation") > incarnation;
    }
}
