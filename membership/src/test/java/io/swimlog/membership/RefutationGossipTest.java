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
 * How refutations compete with suspicions in a member's gossip queue when it is full (at 10% loss in clusters of
 * thousands, updates arrive faster than piggybacking sends them): a refutation replaces the queued suspicion of the
 * same member instead of queueing beside it, and a member's own refutation, the newest and least sent of its queue,
 * goes out in the next datagram it sends, however full the queue.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RefutationGossipTest
{
    private static final long MS = 1_000_000L;
    private static final int QUEUE = 8;

    private record Update(String kind, String memberId, long incarnation)
    {
    }

    private final List<List<Update>> datagrams = new ArrayList<>();
    private final PacketEnvelope envelope = new PacketEnvelope(MembershipContext.DEFAULT_CLUSTER_NAME, null);
    private final MessageReader reader = new MessageReader(envelope, new MembershipCounters());
    private final MessageCodec codec = new MessageCodec();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[1500]);
    private long now;

    private final MessageReader.Handler recorder = new MessageHandlerAdapter()
    {
        public void onAlive(
            final long incarnation, final DirectBuffer memberId, final DirectBuffer endpoint,
            final DirectBuffer metadata)
        {
            last().add(new Update("alive", string(memberId), incarnation));
        }

        public void onSuspect(final long incarnation, final DirectBuffer memberId, final DirectBuffer fromId)
        {
            last().add(new Update("suspect", string(memberId), incarnation));
        }

        public void onDead(final long incarnation, final DirectBuffer memberId, final DirectBuffer fromId)
        {
            last().add(new Update("dead", string(memberId), incarnation));
        }
    };

    private final Transport transport = new SendOnlyTransport(endpoint(1), (endpoint, buffer, offset, length) ->
    {
        datagrams.add(new ArrayList<>());
        reader.read(buffer, offset, length, recorder);
    });

    private List<Update> last()
    {
        return datagrams.get(datagrams.size() - 1);
    }

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
            .transport(transport).randomSeed(1).initialIncarnation(7).maxQueuedBroadcasts(QUEUE).conclude();
        final MembershipCore core = new MembershipCore(ctx, envelope, new MembershipCounters(), (t, id, i, n) -> {});
        core.start(0);
        return core;
    }

    private void deliver(final MembershipCore core, final int length)
    {
        final UnsafeBuffer sealed = new UnsafeBuffer(new byte[1500]);
        core.now(now);
        core.onDatagram(sealed, 0, envelope.seal(payload, 0, length, sealed, 0));
    }

    private void alive(final MembershipCore core, final int member, final long incarnation)
    {
        deliver(core, codec.alive(payload, 0, incarnation, utf8("node-" + member), utf8(endpoint(member)),
            new byte[0]));
    }

    private void suspect(final MembershipCore core, final String memberId, final long incarnation)
    {
        final byte[] from = utf8("node-3");
        deliver(core, codec.suspect(payload, 0, incarnation, utf8(memberId), new UnsafeBuffer(from), 0, from.length));
    }

    /** Runs the core's timers until it sends a datagram that carries updates, and returns them. */
    private List<Update> nextGossip(final MembershipCore core)
    {
        datagrams.clear();
        final long deadline = now + 10_000 * MS;
        while (now < deadline)
        {
            now += MS;
            core.onTimers(now);
            for (final List<Update> datagram : datagrams)
            {
                if (!datagram.isEmpty())
                {
                    return datagram;
                }
            }
        }
        throw new AssertionError("no gossip within 10 s");
    }

    @Test
    void aRefutationReplacesTheQueuedSuspicionOfTheSameMemberInAFullQueue()
    {
        final MembershipCore core = core();
        for (int i = 2; i < 2 + 3 * QUEUE; i++)
        {
            alive(core, i, 1);
        }
        assertThat(core.queuedBroadcasts()).isEqualTo(QUEUE);
        suspect(core, "node-2", 1);
        alive(core, 2, 2);

        assertThat(core.queuedBroadcasts()).isEqualTo(QUEUE);
        final List<Update> sent = new ArrayList<>();
        while (core.queuedBroadcasts() > 0)
        {
            sent.addAll(nextGossip(core));
        }
        assertThat(sent).contains(new Update("alive", "node-2", 2))
            .noneMatch(update -> update.memberId().equals("node-2") && !update.equals(new Update("alive", "node-2", 2)));
    }

    @Test
    void aMembersOwnRefutationGoesOutInItsNextDatagramHoweverFullItsQueue()
    {
        final MembershipCore core = core();
        for (int i = 2; i < 2 + 3 * QUEUE; i++)
        {
            alive(core, i, 1);
        }
        // Half sent already: more sent than the refutation will be, so the full queue drops them first.
        nextGossip(core);
        suspect(core, "node-1", 7);
        assertThat(core.localIncarnation()).isEqualTo(8);
        for (int i = 100; i < 100 + QUEUE - 1; i++)
        {
            alive(core, i, 1);
        }

        assertThat(nextGossip(core)).contains(new Update("alive", "node-1", 8));
    }
}
