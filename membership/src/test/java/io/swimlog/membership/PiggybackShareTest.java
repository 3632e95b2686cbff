package io.swimlog.membership;

import io.swimlog.membership.codecs.AliveDecoder;
import io.swimlog.membership.codecs.MessageHeaderDecoder;
import io.swimlog.membership.codecs.UserBroadcastDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Application broadcasts have their own share of every datagram: a flood of member updates cannot keep them out.
 */
class PiggybackShareTest
{
    private final List<byte[]> sent = new ArrayList<>();
    private final PacketEnvelope envelope = new PacketEnvelope(MembershipContext.DEFAULT_CLUSTER_NAME, null);
    private final MessageCodec codec = new MessageCodec();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[1500]);

    private final Transport transport = new SendOnlyTransport("10.0.0.1:7946", (endpoint, buffer, offset, length) ->
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        sent.add(copy);
    });

    private void deliver(final MembershipCore core, final int length)
    {
        final UnsafeBuffer sealed = new UnsafeBuffer(new byte[1500]);
        core.onDatagram(sealed, 0, envelope.seal(payload, 0, length, sealed, 0));
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aUserBroadcastRidesAlongEvenWhenMemberUpdatesWouldFillTheDatagram()
    {
        final MembershipContext ctx = new MembershipContext().memberId("node-1").bind("10.0.0.1:7946")
            .transport(transport).randomSeed(1).conclude();
        final MembershipCore core = new MembershipCore(ctx, envelope, new MembershipCounters(), (t, id, i, n) -> {});
        core.start(0);
        for (int i = 2; i < 200; i++)
        {
            deliver(core, codec.alive(payload, 0, 1, utf8("node-" + i), utf8("10.0.0." + i + ":7946"), new byte[8]));
        }
        // Larger than any gap member updates could leave: it is there only because space was kept for it.
        final byte[] hello = new byte[200];
        core.broadcast(new UnsafeBuffer(hello), 0, hello.length);

        final byte[] self = utf8("node-1");
        deliver(core, codec.ping(payload, 0, 5, new UnsafeBuffer(self), 0, self.length, utf8("node-2"),
            utf8("10.0.0.2:7946")));

        final byte[] ack = sent.get(sent.size() - 1);
        assertThat(ack.length).as("a full datagram").isGreaterThan(1_100).isLessThanOrEqualTo(1_300);
        final UnsafeBuffer opened = new UnsafeBuffer(new byte[1500]);
        final int length = envelope.open(new UnsafeBuffer(ack), 0, ack.length, opened, 0);
        int alive = 0;
        int broadcasts = 0;
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        int position = MessageCodec.ACK_LENGTH;
        while (position < length)
        {
            header.wrap(opened, position);
            if (header.templateId() == AliveDecoder.TEMPLATE_ID)
            {
                alive++;
                position = new AliveDecoder().wrapAndApplyHeader(opened, position, header).sbeSkip().limit();
            }
            else
            {
                assertThat(header.templateId()).isEqualTo(UserBroadcastDecoder.TEMPLATE_ID);
                broadcasts++;
                position = new UserBroadcastDecoder().wrapAndApplyHeader(opened, position, header).sbeSkip().limit();
            }
        }
        assertThat(position).isEqualTo(length);
        assertThat(broadcasts).isEqualTo(1);
        assertThat(alive).as("member updates fill the rest").isGreaterThan(10);
    }
}
