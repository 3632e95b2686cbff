package io.swimlog.membership;

import io.swimlog.membership.sim.SimNetwork;
import io.swimlog.membership.sim.SimTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A core started as one of a running cluster, without shared identities (as an application would): the view it is
 * given is ALIVE at once, nothing is queued to gossip, and a view naming a member twice is refused.
 */
@Timeout(10)
class StartInRunningClusterTest
{
    private final List<String> events = new ArrayList<>();

    private MembershipCore core(final SimNetwork network)
    {
        final MembershipContext ctx = new MembershipContext()
            .memberId("m0")
            .bind("10.0.0.0:7946")
            .transport(new SimTransport(network, 0, "10.0.0.0:7946"))
            .initialIncarnation(5)
            .randomSeed(3)
            .conclude();
        return new MembershipCore(ctx, new PacketEnvelope(MembershipContext.DEFAULT_CLUSTER_NAME, null),
            new MembershipCounters(), (type, memberId, incarnation, nowNs) -> events.add(type + " " + memberId));
    }

    private static List<Member> view(final int count)
    {
        final List<Member> view = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            view.add(new Member("m" + i, "10.0.0." + i + ":7946", 7, MemberState.ALIVE, new byte[] { (byte)i }));
        }
        return view;
    }

    @Test
    void everyMemberOfTheViewIsAliveAtOnceWithNothingQueued()
    {
        final MembershipCore core = core(new SimNetwork(1));
        core.startInRunningCluster(0, view(50));

        assertThat(core.liveMemberCount()).isEqualTo(50);
        assertThat(core.knownMemberCount()).isEqualTo(50);
        assertThat(core.queuedBroadcasts()).isZero();
        assertThat(core.localIncarnation()).as("its own entry in the view is skipped").isEqualTo(5);
        final Member m7 = core.member("m7");
        assertThat(m7.state()).isEqualTo(MemberState.ALIVE);
        assertThat(m7.incarnation()).isEqualTo(7);
        assertThat(m7.endpoint()).isEqualTo("10.0.0.7:7946");
        assertThat(m7.metadata()).containsExactly(7);
        assertThat(events).hasSize(50).contains("JOINED m0", "JOINED m49");
        assertThat(core.isJoining()).isFalse();
    }

    @Test
    void aViewNamingAMemberTwiceIsRefused()
    {
        final MembershipCore core = core(new SimNetwork(1));
        final List<Member> view = view(5);
        view.add(new Member("m3", "10.0.0.99:7946", 1, MemberState.ALIVE, new byte[0]));
        assertThatThrownBy(() -> core.startInRunningCluster(0, view))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m3 appears twice");
    }
}
