package io.swimlog.membership;

import io.swimlog.membership.codecs.AckEncoder;
import io.swimlog.membership.codecs.AliveEncoder;
import io.swimlog.membership.codecs.BooleanType;
import io.swimlog.membership.codecs.DeadEncoder;
import io.swimlog.membership.codecs.IndirectPingEncoder;
import io.swimlog.membership.codecs.MessageHeaderEncoder;
import io.swimlog.membership.codecs.NackEncoder;
import io.swimlog.membership.codecs.PingEncoder;
import io.swimlog.membership.codecs.PushPullEncoder;
import io.swimlog.membership.codecs.SuspectEncoder;
import io.swimlog.membership.codecs.UserBroadcastEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes the protocol's messages (SBE flyweights over the caller's buffer) and knows their sizes, so the
 * caller can pack a datagram without trial encoding. Each method returns the bytes written, header included.
 * <p>
 * Not thread safe: one per member, reused for every message, allocation free.
 */
public final class MessageCodec
{
    public static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    /** Length prefix of every variable-length field. */
    public static final int VAR_HEADER_LENGTH = 2;
    public static final int ACK_LENGTH = HEADER_LENGTH + AckEncoder.BLOCK_LENGTH;
    public static final int NACK_LENGTH = HEADER_LENGTH + NackEncoder.BLOCK_LENGTH;
    /** Fixed part of a PushPull message: header, block, group header and the two trailing length prefixes. */
    public static final int PUSH_PULL_BASE_LENGTH =
        HEADER_LENGTH + PushPullEncoder.BLOCK_LENGTH + 4 + 2 * VAR_HEADER_LENGTH;
    private static final int PUSH_PULL_MEMBER_BLOCK_LENGTH = 9;

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final PingEncoder ping = new PingEncoder();
    private final IndirectPingEncoder indirectPing = new IndirectPingEncoder();
    private final AckEncoder ack = new AckEncoder();
    private final NackEncoder nack = new NackEncoder();
    private final AliveEncoder alive = new AliveEncoder();
    private final SuspectEncoder suspect = new SuspectEncoder();
    private final DeadEncoder dead = new DeadEncoder();
    private final PushPullEncoder pushPull = new PushPullEncoder();
    private final UserBroadcastEncoder userBroadcast = new UserBroadcastEncoder();
    private PushPullEncoder.MembersEncoder pushPullMembers;

    public static int aliveLength(final int idLength, final int endpointLength, final int metadataLength)
    {
        return HEADER_LENGTH + AliveEncoder.BLOCK_LENGTH + 3 * VAR_HEADER_LENGTH + idLength + endpointLength +
            metadataLength;
    }

    public static int suspectLength(final int idLength, final int fromLength)
    {
        return HEADER_LENGTH + SuspectEncoder.BLOCK_LENGTH + 2 * VAR_HEADER_LENGTH + idLength + fromLength;
    }

    public static int pushPullMemberLength(final int idLength, final int endpointLength, final int metadataLength)
    {
        return PUSH_PULL_MEMBER_BLOCK_LENGTH + 3 * VAR_HEADER_LENGTH + idLength + endpointLength + metadataLength;
    }

    public static int userBroadcastLength(final int originIdLength, final int payloadLength)
    {
        return HEADER_LENGTH + UserBroadcastEncoder.BLOCK_LENGTH + 2 * VAR_HEADER_LENGTH + originIdLength +
            payloadLength;
    }

    public int ping(
        final MutableDirectBuffer buffer,
        final int offset,
        final long sequence,
        final DirectBuffer targetId, final int targetIdOffset, final int targetIdLength,
        final byte[] sourceId,
        final byte[] sourceEndpoint)
    {
        ping.wrapAndApplyHeader(buffer, offset, header)
            .sequence(sequence)
            .putTargetId(targetId, targetIdOffset, targetIdLength)
            .putSourceId(sourceId, 0, sourceId.length)
            .putSourceEndpoint(sourceEndpoint, 0, sourceEndpoint.length);
        return HEADER_LENGTH + ping.encodedLength();
    }

    public int indirectPing(
        final MutableDirectBuffer buffer,
        final int offset,
        final long sequence,
        final boolean wantNack,
        final byte[] targetId,
        final byte[] targetEndpoint,
        final byte[] sourceId,
        final byte[] sourceEndpoint)
    {
        indirectPing.wrapAndApplyHeader(buffer, offset, header)
            .sequence(sequence)
            .wantNack(wantNack ? BooleanType.TRUE : BooleanType.FALSE)
            .putTargetId(targetId, 0, targetId.length)
            .putTargetEndpoint(targetEndpoint, 0, targetEndpoint.length)
            .putSourceId(sourceId, 0, sourceId.length)
            .putSourceEndpoint(sourceEndpoint, 0, sourceEndpoint.length);
        return HEADER_LENGTH + indirectPing.encodedLength();
    }

    public int ack(final MutableDirectBuffer buffer, final int offset, final long sequence, final boolean forwarded)
    {
        ack.wrapAndApplyHeader(buffer, offset, header)
            .sequence(sequence)
            .forwarded(forwarded ? BooleanType.TRUE : BooleanType.FALSE);
        return ACK_LENGTH;
    }

    public int nack(final MutableDirectBuffer buffer, final int offset, final long sequence)
    {
        nack.wrapAndApplyHeader(buffer, offset, header).sequence(sequence);
        return NACK_LENGTH;
    }

    public int alive(
        final MutableDirectBuffer buffer,
        final int offset,
        final long incarnation,
        final byte[] memberId,
        final byte[] endpoint,
        final byte[] metadata)
    {
        alive.wrapAndApplyHeader(buffer, offset, header)
            .incarnation(incarnation)
            .putMemberId(memberId, 0, memberId.length)
            .putEndpoint(endpoint, 0, endpoint.length)
            .putMetadata(metadata, 0, metadata.length);
        return HEADER_LENGTH + alive.encodedLength();
    }

    public int suspect(
        final MutableDirectBuffer buffer,
        final int offset,
        final long incarnation,
        final byte[] memberId,
        final DirectBuffer fromId, final int fromIdOffset, final int fromIdLength)
    {
        suspect.wrapAndApplyHeader(buffer, offset, header)
            .incarnation(incarnation)
            .putMemberId(memberId, 0, memberId.length)
            .putFromId(fromId, fromIdOffset, fromIdLength);
        return HEADER_LENGTH + suspect.encodedLength();
    }

    public int dead(
        final MutableDirectBuffer buffer,
        final int offset,
        final long incarnation,
        final byte[] memberId,
        final DirectBuffer fromId, final int fromIdOffset, final int fromIdLength)
    {
        dead.wrapAndApplyHeader(buffer, offset, header)
            .incarnation(incarnation)
            .putMemberId(memberId, 0, memberId.length)
            .putFromId(fromId, fromIdOffset, fromIdLength);
        return HEADER_LENGTH + dead.encodedLength();
    }

    public int userBroadcast(
        final MutableDirectBuffer buffer,
        final int offset,
        final long sequence,
        final byte[] originId,
        final DirectBuffer payload, final int payloadOffset, final int payloadLength)
    {
        userBroadcast.wrapAndApplyHeader(buffer, offset, header)
            .sequence(sequence)
            .putOriginId(originId, 0, originId.length)
            .putPayload(payload, payloadOffset, payloadLength);
        return HEADER_LENGTH + userBroadcast.encodedLength();
    }

    /**
     * Starts a PushPull chunk of {@code memberCount} members; follow with that many {@link #pushPullMember} calls,
     * then {@link #pushPullEnd}.
     */
    public void pushPullBegin(
        final MutableDirectBuffer buffer,
        final int offset,
        final boolean reply,
        final boolean join,
        final int chunkIndex,
        final int memberCount)
    {
        pushPullBegin(buffer, offset, reply, join, false, chunkIndex, memberCount);
    }

    /**
     * @param selfOnly a request to be answered with the responder's own entry only, or that answer.
     */
    public void pushPullBegin(
        final MutableDirectBuffer buffer,
        final int offset,
        final boolean reply,
        final boolean join,
        final boolean selfOnly,
        final int chunkIndex,
        final int memberCount)
    {
        pushPull.wrapAndApplyHeader(buffer, offset, header)
            .reply(reply ? BooleanType.TRUE : BooleanType.FALSE)
            .join(join ? BooleanType.TRUE : BooleanType.FALSE)
            .chunkIndex(chunkIndex & 0xFFFF)
            .selfOnly(selfOnly ? BooleanType.TRUE : BooleanType.FALSE);
        pushPullMembers = pushPull.membersCount(memberCount);
    }

    public void pushPullMember(
        final long incarnation,
        final io.swimlog.membership.codecs.MemberStateCode state,
        final byte[] memberId,
        final byte[] endpoint,
        final byte[] metadata)
    {
        pushPullMembers.next()
            .incarnation(incarnation)
            .state(state)
            .putMemberId(memberId, 0, memberId.length)
            .putEndpoint(endpoint, 0, endpoint.length)
            .putMetadata(metadata, 0, metadata.length);
    }

    /**
     * @return the length of the whole PushPull message, header included.
     */
    public int pushPullEnd(final byte[] sourceId, final byte[] sourceEndpoint)
    {
        pushPull.putSourceId(sourceId, 0, sourceId.length).putSourceEndpoint(sourceEndpoint, 0, sourceEndpoint.length);
        return HEADER_LENGTH + pushPull.encodedLength();
    }
}
