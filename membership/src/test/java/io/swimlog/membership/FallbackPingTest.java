package io.swimlog.membership;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The second direct ping of a probe (the counterpart of memberlist's TCP fallback ping): when no ack has come within
 * the probe timeout, the prober pings the target again, under the same sequence number, together with the indirect
 * probes. An ack to it ends the probe as an ack to the first ping would; the health score counts it as a late
 * answer (unchanged) and counts missing nacks as before when nothing answers.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FallbackPingTest
{
    private static final long MS = 1_000_000L;
    private static final int OTHERS = 5;

    private record Sent(String endpoint, String kind, long sequence, String targetId, long atNs)
    {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final PacketEnvelope envelope = new PacketEnvelope(MembershipContext.DEFAULT_CLUSTER_NAME, null);
    private final MessageReader reader = new MessageReader(envelope, new MembershipCounters());
    private final MessageCodec codec = new MessageCodec();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[1500]);
    private String sendingTo;

    private final MessageReader.Handler recorder = new MessageHandlerAdapter()
    {
        public void onPing(
            final long sequence, final DirectBuffer targetId, final DirectBuffer sourceId,
            final DirectBuffer sourceEndpoint)
        {
            sent.add(new Sent(sendingTo, "ping", sequence, string(targetId), now));
        }

        public void onIndirectPing(
            final long sequence, final boolean wantNack, final DirectBuffer targetId,
            final DirectBuffer targetEndpoint, final DirectBuffer sourceId, final DirectBuffer sourceEndpoint)
        {
            sent.add(new Sent(sendingTo, "ping-req", sequence, string(targetId), now));
        }

        public void onAck(final long sequence, final boolean forwarded)
        {
            sent.add(new Sent(sendingTo, "ack", sequence, null, now));
        }
    };

    private final Transport transport = new SendOnlyTransport(endpoint(1), (endpoint, buffer, offset, length) ->
    {
        sendingTo = endpoint;
        reader.read(buffer, offset, length, recorder);
    });

    private long now;
    private long lastProbeSequence;

    private static String string(final DirectBuffer view)
    {
        return view.getStringWithoutLengthUtf8(0, view.capacity());
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String endpoint(final int i)
    {
        return "10.0.0." + i + ":7946";
    }

    private MembershipCore core()
    {
        final MembershipContext ctx = new MembershipContext().memberId("node-1").bind(endpoint(1))
            .transport(transport).randomSeed(1).initialIncarnation(7).conclude();
        final MembershipCore core = new MembershipCore(ctx, envelope, new MembershipCounters(), (t, id, i, n) -> {});
        core.start(0);
        for (int i = 2; i < 2 + OTHERS; i++)
        {
            deliver(core, codec.alive(payload, 0, 1, utf8("node-" + i), utf8(endpoint(i)), new byte[0]));
        }
        sent.clear();
        return core;
    }

    private void deliver(final MembershipCore core, final int length)
    {
        final UnsafeBuffer sealed = new UnsafeBuffer(new byte[1500]);
        core.onDatagram(sealed, 0, envelope.seal(payload, 0, length, sealed, 0));
    }

    private void advance(final MembershipCore core, final long toNs)
    {
        while (now < toNs)
        {
            now = Math.min(toNs, now + MS);
            core.onTimers(now);
        }
    }

    /**
     * Runs until the core starts a probe (a probe may start in the tick that ends the one before), and returns its
     * first ping; what was sent before it is forgotten.
     */
    private Sent nextProbe(final MembershipCore core)
    {
        final long deadline = now + 10_000 * MS;
        while (true)
        {
            for (final Sent s : sent)
            {
                if (s.kind().equals("ping") && s.sequence() > lastProbeSequence)
                {
                    lastProbeSequence = s.sequence();
                    sent.removeIf(other -> other.atNs() <= s.atNs());
                    return s;
                }
            }
            assertThat(now).as("a probe within 10 s").isLessThan(deadline);
            now += MS;
            core.onTimers(now);
        }
    }

    private List<Sent> sentOf(final String kind)
    {
        return sent.stream().filter(s -> s.kind().equals(kind)).toList();
    }

    @Test
    void noAckWithinTheProbeTimeoutPingsTheTargetAgainWithTheIndirectProbesUnderTheSameSequence()
    {
        final MembershipCore core = core();
        final Sent ping = nextProbe(core);
        final long startNs = ping.atNs();

        advance(core, startNs + 499 * MS);
        assertThat(sent).as("nothing before the probe timeout").isEmpty();

        advance(core, startNs + 500 * MS);
        assertThat(sentOf("ping-req")).hasSize(3).allSatisfy(s ->
        {
            assertThat(s.sequence()).isEqualTo(ping.sequence());
            assertThat(s.targetId()).isEqualTo(ping.targetId());
            assertThat(s.endpoint()).isNotEqualTo(ping.endpoint());
        });
        assertThat(sentOf("ping")).as("the second ping").singleElement().satisfies(s -> assertSamePing(s, ping));
    }

    @Test
    void anAckInTimeSendsNoSecondPing()
    {
        final MembershipCore core = core();
        final Sent ping = nextProbe(core);
        deliver(core, codec.ack(payload, 0, ping.sequence(), false));

        advance(core, ping.atNs() + 1_000 * MS);
        assertThat(sent.stream().filter(s -> s.sequence() == ping.sequence())).isEmpty();
    }

    @Test
    void anAckToTheSecondPingEndsTheProbeWithoutSuspicionOrChangeOfHealth()
    {
        final MembershipCore core = core();
        // A first probe that nobody answers: the target is suspected and the three missing nacks raise the score.
        final Sent failed = nextProbe(core);
        advance(core, failed.atNs() + 1_000 * MS);
        assertThat(core.stateOf(failed.targetId())).isEqualTo(MemberState.SUSPECT);
        final int health = core.healthScore();
        assertThat(health).isEqualTo(3);

        // The next probe, of another member (round robin), stretched by the score, is answered only after the
        // second ping, and the indirect probers nack.
        final Sent ping = nextProbe(core);
        assertThat(ping.targetId()).isNotEqualTo(failed.targetId());
        final long timeoutNs = 500 * MS * (health + 1);
        advance(core, ping.atNs() + timeoutNs - MS);
        assertThat(sentOf("ping")).isEmpty();
        advance(core, ping.atNs() + timeoutNs);
        assertThat(sentOf("ping")).as("the second ping").singleElement().satisfies(s -> assertSamePing(s, ping));
        for (final Sent request : sentOf("ping-req"))
        {
            deliver(core, codec.nack(payload, 0, request.sequence()));
        }
        deliver(core, codec.ack(payload, 0, ping.sequence(), false));

        advance(core, ping.atNs() + 2 * timeoutNs + MS);
        assertThat(core.stateOf(ping.targetId())).isEqualTo(MemberState.ALIVE);
        assertThat(core.healthScore()).as("a late answer: no better, no worse").isEqualTo(health);
        assertThat(core.counters().get(MembershipCounters.Counter.SUSPICIONS)).isEqualTo(1);
    }

    @Test
    void aProbeThatNothingAnswersStillCountsTheMissingNacksAndSuspectsTheTarget()
    {
        final MembershipCore core = core();
        final Sent ping = nextProbe(core);
        final long startNs = ping.atNs();
        advance(core, startNs + 500 * MS);
        final List<Sent> requests = sentOf("ping-req");
        assertThat(requests).hasSize(3);
        deliver(core, codec.nack(payload, 0, requests.get(0).sequence()));

        advance(core, startNs + 999 * MS);
        assertThat(core.stateOf(ping.targetId())).isEqualTo(MemberState.ALIVE);
        advance(core, startNs + 1_000 * MS);
        assertThat(core.stateOf(ping.targetId())).isEqualTo(MemberState.SUSPECT);
        assertThat(core.healthScore()).as("two of three nacks missing").isEqualTo(2);

        // An ack that comes after the probe ended changes nothing.
        deliver(core, codec.ack(payload, 0, ping.sequence(), false));
        assertThat(core.stateOf(ping.targetId())).isEqualTo(MemberState.SUSPECT);
        assertThat(core.healthScore()).isEqualTo(2);
    }

    private static void assertSamePing(final Sent actual, final Sent expected)
    {
        assertThat(actual.kind()).isEqualTo("ping");
        assertThat(actual.endpoint()).isEqualTo(expected.endpoint());
        assertThat(actual.sequence()).isEqualTo(expected.sequence());
        assertThat(actual.targetId()).isEqualTo(expected.targetId());
    }
}
