package io.swimlog.membership;

import io.swimlog.membership.codecs.AliveDecoder;
import io.swimlog.membership.codecs.BooleanType;
import io.swimlog.membership.codecs.IndirectPingDecoder;
import io.swimlog.membership.codecs.MemberStateCode;
import io.swimlog.membership.codecs.MessageHeaderDecoder;
import io.swimlog.membership.codecs.PingDecoder;
import io.swimlog.membership.codecs.PushPullDecoder;
import io.swimlog.membership.codecs.SuspectDecoder;
import io.swimlog.membership.codecs.UserBroadcastDecoder;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every message decodes to what was encoded, and the size helpers the core packs datagrams with are exact.
 */
class MessageCodecTest
{
    private final MessageCodec codec = new MessageCodec();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void checkHeader(final int offset, final int templateId)
    {
        header.wrap(buffer, offset);
        assertThat(header.schemaId()).isEqualTo(MessageHeaderDecoder.SCHEMA_ID);
        assertThat(header.templateId()).isEqualTo(templateId);
    }

    @Property
    void pingRoundTrip(
        @ForAll @LongRange(min = 0) final long sequence,
        @ForAll @StringLength(min = 1, max = 40) final String target,
        @ForAll @StringLength(min = 1, max = 40) final String source,
        @ForAll @IntRange(min = 0, max = 100) final int offset)
    {
        final byte[] targetId = utf8(target);
        final int length = codec.ping(buffer, offset, sequence, new UnsafeBuffer(targetId), 0, targetId.length,
            utf8(source), utf8("10.1.2.3:7946"));
        checkHeader(offset, PingDecoder.TEMPLATE_ID);
        final PingDecoder decoder = new PingDecoder().wrapAndApplyHeader(buffer, offset, header);
        assertThat(decoder.sequence()).isEqualTo(sequence);
        assertThat(decoder.targetId()).isEqualTo(target);
        assertThat(decoder.sourceId()).isEqualTo(source);
        assertThat(decoder.sourceEndpoint()).isEqualTo("10.1.2.3:7946");
        assertThat(decoder.limit()).isEqualTo(offset + length);
    }

    @Property
    void indirectPingRoundTrip(
        @ForAll final long sequence,
        @ForAll final boolean wantNack,
        @ForAll @StringLength(min = 1, max = 40) final String target,
        @ForAll @StringLength(min = 1, max = 40) final String source)
    {
        final int length = codec.indirectPing(buffer, 0, sequence, wantNack, utf8(target), utf8("h:1"),
            utf8(source), utf8("h:2"));
        checkHeader(0, IndirectPingDecoder.TEMPLATE_ID);
        final IndirectPingDecoder decoder = new IndirectPingDecoder().wrapAndApplyHeader(buffer, 0, header);
        assertThat(decoder.sequence()).isEqualTo(sequence);
        assertThat(decoder.wantNack()).isEqualTo(wantNack ? BooleanType.TRUE : BooleanType.FALSE);
        assertThat(decoder.targetId()).isEqualTo(target);
        assertThat(decoder.targetEndpoint()).isEqualTo("h:1");
        assertThat(decoder.sourceId()).isEqualTo(source);
        assertThat(decoder.sourceEndpoint()).isEqualTo("h:2");
        assertThat(decoder.limit()).isEqualTo(length);
    }

    @Property
    void aliveRoundTripAndExactLength(
        @ForAll @LongRange(min = 0) final long incarnation,
        @ForAll @StringLength(min = 1, max = 64) final String id,
        @ForAll @StringLength(min = 3, max = 64) final String endpoint,
        @ForAll @Size(max = 2048) final byte[] metadata)
    {
        final byte[] idBytes = utf8(id);
        final byte[] endpointBytes = utf8(endpoint);
        final int length = codec.alive(buffer, 0, incarnation, idBytes, endpointBytes, metadata);
        assertThat(length).isEqualTo(MessageCodec.aliveLength(idBytes.length, endpointBytes.length, metadata.length));
        checkHeader(0, AliveDecoder.TEMPLATE_ID);
        final AliveDecoder decoder = new AliveDecoder().wrapAndApplyHeader(buffer, 0, header);
        assertThat(decoder.incarnation()).isEqualTo(incarnation);
        assertThat(decoder.memberId()).isEqualTo(id);
        assertThat(decoder.endpoint()).isEqualTo(endpoint);
        final byte[] decoded = new byte[decoder.metadataLength()];
        decoder.getMetadata(decoded, 0, decoded.length);
        assertThat(decoded).isEqualTo(metadata);
    }

    @Property
    void suspectRoundTripAndExactLength(
        @ForAll @LongRange(min = 0) final long incarnation,
        @ForAll @StringLength(min = 1, max = 64) final String id,
        @ForAll @StringLength(min = 1, max = 64) final String from)
    {
        final byte[] fromBytes = utf8(from);
        final int length = codec.suspect(buffer, 0, incarnation, utf8(id), new UnsafeBuffer(fromBytes), 0,
            fromBytes.length);
        assertThat(length).isEqualTo(MessageCodec.suspectLength(utf8(id).length, fromBytes.length));
        final SuspectDecoder decoder = new SuspectDecoder();
        header.wrap(buffer, 0);
        decoder.wrapAndApplyHeader(buffer, 0, header);
        assertThat(decoder.incarnation()).isEqualTo(incarnation);
        assertThat(decoder.memberId()).isEqualTo(id);
        assertThat(decoder.fromId()).isEqualTo(from);
    }

    @Property
    void userBroadcastRoundTripAndExactLength(
        @ForAll final long sequence,
        @ForAll @StringLength(min = 1, max = 64) final String origin,
        @ForAll @Size(max = 1000) final byte[] payload)
    {
        final int length = codec.userBroadcast(buffer, 0, sequence, utf8(origin), new UnsafeBuffer(payload), 0,
            payload.length);
        assertThat(length).isEqualTo(MessageCodec.userBroadcastLength(utf8(origin).length, payload.length));
        header.wrap(buffer, 0);
        final UserBroadcastDecoder decoder = new UserBroadcastDecoder().wrapAndApplyHeader(buffer, 0, header);
        assertThat(decoder.sequence()).isEqualTo(sequence);
        assertThat(decoder.originId()).isEqualTo(origin);
        final byte[] decoded = new byte[decoder.payloadLength()];
        decoder.getPayload(decoded, 0, decoded.length);
        assertThat(decoded).isEqualTo(payload);
    }

    @Property
    void pushPullRoundTripAndExactLength(
        @ForAll final boolean reply,
        @ForAll final boolean join,
        @ForAll final boolean selfOnly,
        @ForAll @IntRange(min = 0, max = 65535) final int chunk,
        @ForAll @Size(max = 30) final List<@StringLength(min = 1, max = 20) String> ids)
    {
        int expected = MessageCodec.PUSH_PULL_BASE_LENGTH + utf8("me").length + utf8("h:9").length;
        codec.pushPullBegin(buffer, 0, reply, join, selfOnly, chunk, ids.size());
        for (int i = 0; i < ids.size(); i++)
        {
            final byte[] metadata = new byte[i];
            codec.pushPullMember(i, MemberStateCode.get((short)(i % 4)), utf8(ids.get(i)), utf8("h:" + i), metadata);
            expected += MessageCodec.pushPullMemberLength(utf8(ids.get(i)).length, utf8("h:" + i).length, i);
        }
        final int length = codec.pushPullEnd(utf8("me"), utf8("h:9"));
        assertThat(length).isEqualTo(expected);

        header.wrap(buffer, 0);
        final PushPullDecoder decoder = new PushPullDecoder().wrapAndApplyHeader(buffer, 0, header);
        assertThat(decoder.reply()).isEqualTo(reply ? BooleanType.TRUE : BooleanType.FALSE);
        assertThat(decoder.join()).isEqualTo(join ? BooleanType.TRUE : BooleanType.FALSE);
        assertThat(decoder.chunkIndex()).isEqualTo(chunk);
        assertThat(decoder.selfOnly()).isEqualTo(selfOnly ? BooleanType.TRUE : BooleanType.FALSE);
        int i = 0;
        for (final PushPullDecoder.MembersDecoder member : decoder.members())
        {
            assertThat(member.incarnation()).isEqualTo(i);
            assertThat(member.state()).isEqualTo(MemberStateCode.get((short)(i % 4)));
            assertThat(member.memberId()).isEqualTo(ids.get(i));
            assertThat(member.endpoint()).isEqualTo("h:" + i);
            assertThat(member.metadataLength()).isEqualTo(i);
            member.skipMetadata();
            i++;
        }
        assertThat(i).isEqualTo(ids.size());
        assertThat(decoder.sourceId()).isEqualTo("me");
        assertThat(decoder.sourceEndpoint()).isEqualTo("h:9");
        assertThat(decoder.limit()).isEqualTo(length);
    }
}
