package io.swimlog.membership;

import io.swimlog.membership.codecs.MemberStateCode;
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
 * A member held SUSPECT or DEAD in a push-pull state is suspected, as memberlist does, but with no accuser: the
 * member that merged the state observed nothing, so it neither confirms a suspicion it holds (Lifeguard's
 * confirmations are members that each failed to probe the suspect) nor gossips one that others would count as its
 * own. Gossip names the suspect itself as the sender, which {@code MembershipCore} reads as no accuser.
 * <p>
 * Six members: a suspicion expects 2 confirmations, its minimum timeout is 4 s and its maximum 24 s.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PushPullSuspicionTest
{
    private static final long MS = 1_000_000L;

    private record Suspect(String endpoint, String memberId, long incarnation, String from)
    {
    }

    private final List<Suspect> gossiped = new ArrayList<>();
    private final PacketEnvelope envelope = new PacketEnvelope(MembershipContext.DEFAULT_CLUSTER_NAME, null);
    private final MessageReader reader = new MessageReader(envelope, new MembershipCounters());
    private final MessageCodec codec = new MessageCodec();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[1500]);
    private final List<Long> unanswered = new ArrayList<>();
    private String sendingTo;
    private long now;

    private final MessageReader.Handler recorder = new MessageHandlerAdapter()
    {
        public void onPing(
            final long sequence, final DirectBuffer targetId, final DirectBuffer sourceId,
            final DirectBuffer sourceEndpoint)
        {
            unanswered.add(sequence);
        }

        public void onSuspect(final long incarnation, final DirectBuffer memberId, final DirectBuffer fromId)
        {
            gossiped.add(new Suspect(sendingTo, string(memberId), incarnation, string(fromId)));
        }
    };

    private final Transport transport = new SendOnlyTransport(endpoint(1), (endpoint, buffer, offset, length) ->
    {
        sendingTo = endpoint;
        reader.read(buffer, offset, length, recorder);
    });

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

    /** node-1, knowing node-2 to node-6 alive at incarnation 1; every ping it sends is answered. */
    private MembershipCore core()
    {
        final MembershipContext ctx = new MembershipContext().memberId("node-1").bind(endpoint(1))
            .transport(transport).randomSeed(1).initialIncarnation(7).probeIntervalMs(1_000)
            .probeTimeoutMs(500).suspicionMult(4).suspicionMaxTimeoutMult(6).conclude();
        final MembershipCore core = new MembershipCore(ctx, envelope, new MembershipCounters(), (t, id, i, n) -> {});
        core.start(0);
        for (int i = 2; i <= 6; i++)
        {
            deliver(core, codec.alive(payload, 0, 1, utf8("node-" + i), utf8(endpoint(i)), new byte[0]));
        }
        gossiped.clear();
        return core;
    }

    private void deliver(final MembershipCore core, final int length)
    {
        final UnsafeBuffer sealed = new UnsafeBuffer(new byte[1500]);
        core.now(now);
        core.onDatagram(sealed, 0, envelope.seal(payload, 0, length, sealed, 0));
    }

    private void gossipSuspect(final MembershipCore core, final String memberId, final String from)
    {
        final byte[] fromBytes = utf8(from);
        deliver(core, codec.suspect(payload, 0, 1, utf8(memberId), new UnsafeBuffer(fromBytes), 0, fromBytes.length));
    }

    /** A push-pull answer from {@code sender} that holds node-2 in {@code state} at incarnation 1. */
    private void pushPullHolding(final MembershipCore core, final int sender, final MemberStateCode state)
    {
        codec.pushPullBegin(payload, 0, true, false, false, 0, 2);
        codec.pushPullMember(1, MemberStateCode.ALIVE, utf8("node-" + sender), utf8(endpoint(sender)), new byte[0]);
        codec.pushPullMember(1, state, utf8("node-2"), utf8(endpoint(2)), new byte[0]);
        deliver(core, codec.pushPullEnd(utf8("node-" + sender), utf8(endpoint(sender))));
    }

    private void advance(final MembershipCore core, final long toNs)
    {
        while (now < toNs)
        {
            now = Math.min(toNs, now + 10 * MS);
            core.onTimers(now);
            while (!unanswered.isEmpty())
            {
                deliver(core, codec.ack(payload, 0, unanswered.remove(0), false));
            }
        }
    }

    /** Suspect messages gossiped to members other than the suspect (to which a prober says it itself: buddy system). */
    private List<Suspect> gossipToOthers()
    {
        return gossiped.stream().filter(s -> !s.endpoint().equals(endpoint(2))).toList();
    }

    @Test
    void twoGossipedConfirmationsMakeASuspectDeadAtTheMinimumTimeout()
    {
        final MembershipCore core = core();
        gossipSuspect(core, "node-2", "node-3");
        gossipSuspect(core, "node-2", "node-4");
        gossipSuspect(core, "node-2", "node-5");

        advance(core, 3_990 * MS);
        assertThat(core.stateOf("node-2")).isEqualTo(MemberState.SUSPECT);
        advance(core, 4_010 * MS);
        assertThat(core.stateOf("node-2")).isEqualTo(MemberState.DEAD);
    }

    @Test
    void pushPullsHoldingTheSuspectSuspectOrDeadConfirmNothing()
    {
        final MembershipCore core = core();
        gossipSuspect(core, "node-2", "node-3");
        pushPullHolding(core, 4, MemberStateCode.SUSPECT);
        pushPullHolding(core, 5, MemberStateCode.DEAD);
        pushPullHolding(core, 6, MemberStateCode.SUSPECT);

        advance(core, 23_990 * MS);
        assertThat(core.stateOf("node-2")).as("unconfirmed: the maximum timeout").isEqualTo(MemberState.SUSPECT);
        assertThat(gossipToOthers()).as("no confirmation gossiped")
            .isNotEmpty().allSatisfy(s -> assertThat(s.from()).isEqualTo("node-3"));
    }

    @Test
    void aSuspicionLearnedFromAPushPullIsGossipedWithoutAnAccuserAndConfirmsNothingWhereItArrives()
    {
        final MembershipCore core = core();
        pushPullHolding(core, 4, MemberStateCode.SUSPECT);
        assertThat(core.stateOf("node-2")).isEqualTo(MemberState.SUSPECT);
        advance(core, 1_000 * MS);
        assertThat(gossipToOthers()).isNotEmpty().allSatisfy(s ->
        {
            assertThat(s.memberId()).isEqualTo("node-2");
            assertThat(s.from()).as("the suspect itself: no accuser").isEqualTo("node-2");
        });

        // Another member's unattributed gossip confirms nothing where it arrives: with one real confirmation the
        // timer runs 11.4 s (two would have made it 4 s).
        final MembershipCore other = core();
        now = 0;
        unanswered.clear();
        gossipSuspect(other, "node-2", "node-3");
        gossipSuspect(other, "node-2", "node-2");
        gossipSuspect(other, "node-2", "node-4");
        advance(other, 11_000 * MS);
        assertThat(other.stateOf("node-2")).as("one confirmation").isEqualTo(MemberState.SUSPECT);
    }

    @Test
    void aPushPullHoldingThisMemberSuspectStillMakesItRefute()
    {
        final MembershipCore core = core();
        codec.pushPullBegin(payload, 0, true, false, false, 0, 2);
        codec.pushPullMember(1, MemberStateCode.ALIVE, utf8("node-4"), utf8(endpoint(4)), new byte[0]);
        codec.pushPullMember(7, MemberStateCode.SUSPECT, utf8("node-1"), utf8(endpoint(1)), new byte[0]);
        deliver(core, codec.pushPullEnd(utf8("node-4"), utf8(endpoint(4))));
        assertThat(core.localIncarnation()).isEqualTo(8);
    }
}
