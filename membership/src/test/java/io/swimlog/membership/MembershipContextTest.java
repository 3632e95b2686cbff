package io.swimlog.membership;

import io.swimlog.membership.sim.LoopbackNetwork;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MembershipContextTest
{
    private final LoopbackNetwork network = new LoopbackNetwork();

    private MembershipContext context(final String endpoint)
    {
        return new MembershipContext().memberId("m").bind(endpoint).transport(network.bind(endpoint));
    }

    @Test
    void defaultsAreMemberlistsLanProfile()
    {
        final MembershipContext ctx = context("127.0.0.1:1").conclude();
        assertThat(ctx.probeIntervalMs()).isEqualTo(1_000);
        assertThat(ctx.probeTimeoutMs()).isEqualTo(500);
        assertThat(ctx.indirectChecks()).isEqualTo(3);
        assertThat(ctx.suspicionMult()).isEqualTo(4);
        assertThat(ctx.suspicionMaxTimeoutMult()).isEqualTo(6);
        assertThat(ctx.retransmitMult()).isEqualTo(4);
        assertThat(ctx.gossipIntervalMs()).isEqualTo(200);
        assertThat(ctx.gossipNodes()).isEqualTo(3);
        assertThat(ctx.pushPullIntervalMs()).isEqualTo(30_000);
        assertThat(ctx.awarenessMaxMultiplier()).isEqualTo(8);
        assertThat(ctx.clusterName()).isEqualTo("swimlog");
    }

    @Test
    void aTimingSetOnTheContextOverridesTheProfile()
    {
        final MembershipContext ctx = context("127.0.0.1:2")
            .profile(MembershipProfile.WAN)
            .probeTimeoutMs(700)
            .conclude();
        assertThat(ctx.probeIntervalMs()).isEqualTo(5_000);
        assertThat(ctx.probeTimeoutMs()).isEqualTo(700);
        assertThat(ctx.suspicionMult()).isEqualTo(6);
        assertThat(ctx.gossipNodes()).isEqualTo(4);
    }

    @Test
    void localProfileIsMemberlistsLocalConfig()
    {
        final MembershipContext ctx = context("127.0.0.1:3").profile(MembershipProfile.LOCAL).conclude();
        assertThat(ctx.indirectChecks()).isEqualTo(1);
        assertThat(ctx.retransmitMult()).isEqualTo(2);
        assertThat(ctx.suspicionMult()).isEqualTo(3);
        assertThat(ctx.probeTimeoutMs()).isEqualTo(200);
        assertThat(ctx.gossipIntervalMs()).isEqualTo(100);
        assertThat(ctx.pushPullIntervalMs()).isEqualTo(15_000);
    }

    @Test
    void wrongSettingsAreNamedInOneSentence()
    {
        assertThatThrownBy(() -> context("127.0.0.1:4").probeTimeoutMs(1_000).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probeTimeoutMs");
        assertThatThrownBy(() -> context("127.0.0.1:5").bind("nohost").conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bind");
        assertThatThrownBy(() -> context("127.0.0.1:6").seeds(List.of("h:99999")).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seed");
        assertThatThrownBy(() -> context("127.0.0.1:7").metadata(new byte[2_000]).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metadata");
        assertThatThrownBy(() -> context("127.0.0.1:8").maxMetadataLength(1_250).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> context("127.0.0.1:9").gossipNodes(-1).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gossipNodes");
    }

    @Test
    void largerDatagramsAllowLargerMetadata()
    {
        final MembershipContext ctx = context("127.0.0.1:10")
            .maxDatagramLength(8_192)
            .maxMetadataLength(4_096)
            .metadata(new byte[4_096])
            .conclude();
        assertThat(ctx.metadata()).hasSize(4_096);
    }

    @Test
    void concludesOnce()
    {
        final MembershipContext ctx = context("127.0.0.1:11").conclude();
        assertThatThrownBy(ctx::conclude).isInstanceOf(IllegalStateException.class);
    }
}
