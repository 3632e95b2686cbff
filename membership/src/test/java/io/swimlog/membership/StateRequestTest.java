package io.swimlog.membership;

import io.swimlog.membership.codecs.BooleanType;
import io.swimlog.membership.codecs.MemberStateCode;
import io.swimlog.membership.codecs.MessageHeaderDecoder;
import io.swimlog.membership.codecs.PushPullDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The small state requests. A suspect's last chance (sent when an unconfirmed suspicion runs out) asks for the
 * suspect's own entry only and is answered with one datagram instead of the suspect's whole view; other state
 * requests (push-pull, reconnect, version 0 peers) still get the whole view. Both the last chance and the reconnect
 * to a dead member carry the target's entry as the requester holds it, so a target that did not know refutes
 * before it answers; a reconnect's whole-view answer is answered with the requester's whole view.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StateRequestTest
{
    private static final long MS = 1_000_000L;

    private record Sent(String endpoint, byte[] payload)
    {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final PacketEnvelope envelope = new PacketEnvelope(MembershipContext.DEFAULT_CLUSTER_NAME, null);
    private final MessageCodec codec = new MessageCodec();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[1500]);

    private final Transport transport = new SendOnlyTransport("10.0.0.1:7946", (endpoint, buffer, offset, length) ->
    {
        final UnsafeBuffer opened = new UnsafeBuffer(new byte[1500]);
        final int openedLength = envelope.open(buffer, offset, length, opened, 0);
        final byte[] copy = new byte[openedLength];
        opened.getBytes(0, copy);
        sent.add(new Sent(endpoint, copy));
    });

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String endpoint(final int i)
    {
        return "10.0.0." + i + ":7946";
    }

    private MembershipCore core(final int others, final List<String> seeds)
    {
        final MembershipContext ctx = new MembershipContext().memberId("node-1").bind(endpoint(1))
            .transport(transport).randomSeed(1).initialIncarnation(7).seeds(seeds).conclude();
        final MembershipCore core = new MembershipCore(ctx, envelope, new MembershipCounters(), (t, id, i, n) -> {});
        core.start(0);
        for (int i = 2; i < 2 + others; i++)
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

    private int stateRequestFromNode2(final boolean selfOnly)
    {
        codec.pushPullBegin(payload, 0, false, false, selfOnly, 0, 1);
        codec.pushPullMember(1, MemberStateCode.ALIVE, utf8("node-2"), utf8(endpoint(2)), new byte[0]);
        return codec.pushPullEnd(utf8("node-2"), utf8(endpoint(2)));
    }

    private static PushPullDecoder pushPull(final byte[] datagram)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(datagram);
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        assertThat(header.templateId()).isEqualTo(PushPullDecoder.TEMPLATE_ID);
        return new PushPullDecoder().wrapAndApplyHeader(buffer, 0, header);
    }

    @Test
    void aLastChanceRequestIsAnsweredWithTheRespondersOwnEntryInOneDatagram()
    {
        final MembershipCore core = core(200, List.of());
        deliver(core, stateRequestFromNode2(true));

        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).endpoint()).isEqualTo(endpoint(2));
        final PushPullDecoder reply = pushPull(sent.get(0).payload());
        assertThat(reply.reply()).isEqualTo(BooleanType.TRUE);
        assertThat(reply.selfOnly()).isEqualTo(BooleanType.TRUE);
        final PushPullDecoder.MembersDecoder members = reply.members();
        assertThat(members.count()).isEqualTo(1);
        members.next();
        assertThat(members.incarnation()).isEqualTo(7);
        assertThat(members.state()).isEqualTo(MemberStateCode.ALIVE);
        assertThat(members.memberId()).isEqualTo("node-1");
    }

    @Test
    void aFullStateRequestStillGetsTheWholeView()
    {
        final MembershipCore core = core(200, List.of());
        deliver(core, stateRequestFromNode2(false));

        int members = 0;
        for (final Sent datagram : sent)
        {
            final PushPullDecoder reply = pushPull(datagram.payload());
            assertThat(reply.reply()).isEqualTo(BooleanType.TRUE);
            assertThat(reply.selfOnly()).isEqualTo(BooleanType.FALSE);
            members += reply.members().count();
        }
        assertThat(sent.size()).isGreaterThan(1);
        assertThat(members).isEqualTo(201);
    }

    @Test
    void aVersionZeroRequestWithoutTheFieldIsAFullStateRequest()
    {
        final MembershipCore core = core(200, List.of());
        final int length = stateRequestFromNode2(false);
        // Version 0's PushPull: the same message without the selfOnly byte at the end of its block.
        final int selfOnlyAt = MessageCodec.HEADER_LENGTH + PushPullDecoder.selfOnlyEncodingOffset();
        final byte[] v1 = new byte[length];
        payload.getBytes(0, v1);
        final byte[] v0 = new byte[length - 1];
        System.arraycopy(v1, 0, v0, 0, selfOnlyAt);
        System.arraycopy(v1, selfOnlyAt + 1, v0, selfOnlyAt, length - selfOnlyAt - 1);
        final UnsafeBuffer header = new UnsafeBuffer(v0);
        header.putShort(0, (short)PushPullDecoder.selfOnlyEncodingOffset()); // block length
        header.putShort(6, (short)0); // version
        payload.putBytes(0, v0);
        deliver(core, v0.length);

        assertThat(core.member("node-2")).isNotNull();
        int members = 0;
        for (final Sent datagram : sent)
        {
            members += pushPull(datagram.payload()).members().count();
        }
        assertThat(members).as("the whole view").isEqualTo(201);
        assertThat(core.counters().get(MembershipCounters.Counter.REJECTED_MALFORMED)).isZero();
    }

    @Test
    void anUnconfirmedSuspicionThatRunsOutAsksTheSuspectForItsOwnEntryOnly()
    {
        final MembershipCore core = core(5, List.of());
        long now = 0;
        while (core.stateOf("node-2") != MemberState.SUSPECT && now < 60_000 * MS)
        {
            now += 10 * MS;
            core.onTimers(now);
        }
        assertThat(core.stateOf("node-2")).isEqualTo(MemberState.SUSPECT);
        sent.clear();
        final PushPullDecoder request = firstStateRequestTo(core, endpoint(2), now, 600_000 * MS, MemberState.SUSPECT);
        assertThat(request).as("a last chance before node-2 is declared dead").isNotNull();
        assertThat(request.reply()).isEqualTo(BooleanType.FALSE);
        assertThat(request.selfOnly()).isEqualTo(BooleanType.TRUE);
        assertThat(entries(request)).as("the requester and the suspect as it holds it").containsExactly(
            new Entry("node-1", MemberStateCode.ALIVE, 7), new Entry("node-2", MemberStateCode.SUSPECT, 1));

        // The answer refutes: node-2 at a newer incarnation is alive again.
        codec.pushPullBegin(payload, 0, true, false, true, 0, 1);
        codec.pushPullMember(2, MemberStateCode.ALIVE, utf8("node-2"), utf8(endpoint(2)), new byte[0]);
        deliver(core, codec.pushPullEnd(utf8("node-2"), utf8(endpoint(2))));
        assertThat(core.stateOf("node-2")).isEqualTo(MemberState.ALIVE);
    }

    @Test
    void anOwnEntryAnswerDoesNotEndAJoin()
    {
        final MembershipCore core = core(0, List.of(endpoint(2)));
        assertThat(core.isJoining()).isTrue();
        codec.pushPullBegin(payload, 0, true, false, true, 0, 1);
        codec.pushPullMember(1, MemberStateCode.ALIVE, utf8("node-2"), utf8(endpoint(2)), new byte[0]);
        deliver(core, codec.pushPullEnd(utf8("node-2"), utf8(endpoint(2))));
        assertThat(core.isJoining()).isTrue();

        codec.pushPullBegin(payload, 0, true, false, false, 0, 1);
        codec.pushPullMember(1, MemberStateCode.ALIVE, utf8("node-2"), utf8(endpoint(2)), new byte[0]);
        deliver(core, codec.pushPullEnd(utf8("node-2"), utf8(endpoint(2))));
        assertThat(core.isJoining()).isFalse();
    }

    @Test
    void aRequestThatHoldsTheResponderSuspectOrDeadMakesItRefuteBeforeItAnswers()
    {
        final MembershipCore core = core(3, List.of());
        codec.pushPullBegin(payload, 0, false, false, true, 0, 2);
        codec.pushPullMember(1, MemberStateCode.ALIVE, utf8("node-2"), utf8(endpoint(2)), new byte[0]);
        codec.pushPullMember(7, MemberStateCode.SUSPECT, utf8("node-1"), utf8(endpoint(1)), new byte[0]);
        deliver(core, codec.pushPullEnd(utf8("node-2"), utf8(endpoint(2))));

        assertThat(sent).hasSize(1);
        assertThat(entries(pushPull(sent.get(0).payload()))).as("refuted before answering")
            .containsExactly(new Entry("node-1", MemberStateCode.ALIVE, 8));
        sent.clear();

        codec.pushPullBegin(payload, 0, false, false, false, 0, 2);
        codec.pushPullMember(1, MemberStateCode.ALIVE, utf8("node-2"), utf8(endpoint(2)), new byte[0]);
        codec.pushPullMember(8, MemberStateCode.DEAD, utf8("node-1"), utf8(endpoint(1)), new byte[0]);
        deliver(core, codec.pushPullEnd(utf8("node-2"), utf8(endpoint(2))));

        assertThat(core.localIncarnation()).isEqualTo(9);
        assertThat(incarnationsIn(sent, endpoint(2), true)).as("the whole view, with the refutation")
            .containsEntry("node-1", 9L).hasSize(4);
    }

    @Test
    void aReconnectCarriesTheDeadMembersEntryAndItsWholeViewAnswerGetsTheWholeViewBack()
    {
        final MembershipCore core = core(5, List.of());
        deliver(core, codec.dead(payload, 0, 1, utf8("node-2"), new UnsafeBuffer(utf8("node-3")), 0, 6));
        assertThat(core.stateOf("node-2")).isEqualTo(MemberState.DEAD);
        sent.clear();

        // Only a reconnect sends a state request to a dead member; about one a reconnect interval in the cluster.
        final PushPullDecoder request = firstStateRequestTo(core, endpoint(2), 0, 3_600_000 * MS, MemberState.DEAD);
        assertThat(request).as("a reconnect to the dead member").isNotNull();
        assertThat(request.reply()).isEqualTo(BooleanType.FALSE);
        assertThat(request.selfOnly()).isEqualTo(BooleanType.FALSE);
        assertThat(entries(request)).containsExactly(
            new Entry("node-1", MemberStateCode.ALIVE, 7), new Entry("node-2", MemberStateCode.DEAD, 1));

        // node-2 refuted and answers with its whole view: this member pushes its own back, once.
        for (int round = 0; round < 2; round++)
        {
            codec.pushPullBegin(payload, 0, true, false, false, 0, 2);
            codec.pushPullMember(2, MemberStateCode.ALIVE, utf8("node-2"), utf8(endpoint(2)), new byte[0]);
            codec.pushPullMember(7, MemberStateCode.DEAD, utf8("node-1"), utf8(endpoint(1)), new byte[0]);
            deliver(core, codec.pushPullEnd(utf8("node-2"), utf8(endpoint(2))));
            assertThat(core.stateOf("node-2")).isEqualTo(MemberState.ALIVE);
            if (round == 0)
            {
                assertThat(incarnationsIn(sent, endpoint(2), true)).as("the whole view back, refuted")
                    .containsEntry("node-1", 8L).containsEntry("node-2", 2L).hasSize(6);
            }
            else
            {
                assertThat(incarnationsIn(sent, endpoint(2), true)).as("nothing pushed for a second answer").isEmpty();
            }
            sent.clear();
        }
    }

    /**
     * Runs the member's timers in 10 ms steps from {@code fromNs} until it sends a push-pull to {@code endpoint}
     * (returned), {@code forNs} have passed or node-2 leaves {@code state} (null returned).
     */
    private PushPullDecoder firstStateRequestTo(
        final MembershipCore core, final String endpoint, final long fromNs, final long forNs, final MemberState state)
    {
        for (long now = fromNs + 10 * MS; now < fromNs + forNs && core.stateOf("node-2") == state; now += 10 * MS)
        {
            core.onTimers(now);
            for (final Sent datagram : sent)
            {
                final MessageHeaderDecoder header =
                    new MessageHeaderDecoder().wrap(new UnsafeBuffer(datagram.payload()), 0);
                if (datagram.endpoint().equals(endpoint) && header.templateId() == PushPullDecoder.TEMPLATE_ID)
                {
                    sent.clear();
                    return pushPull(datagram.payload());
                }
            }
            sent.clear();
        }
        return null;
    }

    private static Map<String, Long> incarnationsIn(
        final List<Sent> datagrams, final String endpoint, final boolean reply)
    {
        final Map<String, Long> incarnations = new HashMap<>();
        for (final Sent datagram : datagrams)
        {
            final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(new UnsafeBuffer(datagram.payload()), 0);
            if (!datagram.endpoint().equals(endpoint) || header.templateId() != PushPullDecoder.TEMPLATE_ID)
            {
                continue;
            }
            final PushPullDecoder decoder = pushPull(datagram.payload());
            if ((decoder.reply() == BooleanType.TRUE) != reply || decoder.selfOnly() == BooleanType.TRUE)
            {
                continue;
            }
            for (final Entry entry : entries(decoder))
            {
                incarnations.put(entry.id(), entry.incarnation());
            }
        }
        return incarnations;
    }

    private record Entry(String id, MemberStateCode state, long incarnation)
    {
    }

    /** The entries of a push-pull, each read whole in the schema's order (SBE's var data cannot be skipped). */
    private static List<Entry> entries(final PushPullDecoder decoder)
    {
        final List<Entry> entries = new ArrayList<>();
        for (final PushPullDecoder.MembersDecoder member : decoder.members())
        {
            final long incarnation = member.incarnation();
            final MemberStateCode state = member.state();
            final String id = member.memberId();
            member.skipEndpoint();
            member.skipMetadata();
            entries.add(new Entry(id, state, incarnation));
        }
        return entries;
    }
}
