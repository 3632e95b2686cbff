package io.swimlog.membership;

import io.swimlog.membership.MembershipCounters.Counter;
import io.swimlog.membership.codecs.AckDecoder;
import io.swimlog.membership.codecs.AliveDecoder;
import io.swimlog.membership.codecs.BooleanType;
import io.swimlog.membership.codecs.DeadDecoder;
import io.swimlog.membership.codecs.IndirectPingDecoder;
import io.swimlog.membership.codecs.MemberStateCode;
import io.swimlog.membership.codecs.MessageHeaderDecoder;
import io.swimlog.membership.codecs.NackDecoder;
import io.swimlog.membership.codecs.PingDecoder;
import io.swimlog.membership.codecs.PushPullDecoder;
import io.swimlog.membership.codecs.SuspectDecoder;
import io.swimlog.membership.codecs.UserBroadcastDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Turns a received datagram into calls on a {@link Handler}: opens the {@link PacketEnvelope}, then for each SBE
 * message checks schema id, template id and block length before wrapping, decodes it with a flyweight and checks
 * its fields (id and endpoint lengths, incarnations, enum values). Anything that fails is counted by reason and the
 * rest of the datagram dropped; nothing received can throw out of {@link #read}.
 * <p>
 * Each message is decoded whole before the handler sees it, so a truncated message is never half applied. Text and
 * bytes reach the handler as views over the receive buffer, valid only during the call: nothing is allocated.
 * <p>
 * Not thread safe: one per member, used on the member's thread.
 */
final class MessageReader
{
    /** Receives the messages of a datagram, in order. */
    interface Handler
    {
        void onPing(long sequence, DirectBuffer targetId, DirectBuffer sourceId, DirectBuffer sourceEndpoint);

        void onIndirectPing(
            long sequence,
            boolean wantNack,
            DirectBuffer targetId,
            DirectBuffer targetEndpoint,
            DirectBuffer sourceId,
            DirectBuffer sourceEndpoint);

        void onAck(long sequence, boolean forwarded);

        void onNack(long sequence);

        void onAlive(long incarnation, DirectBuffer memberId, DirectBuffer endpoint, DirectBuffer metadata);

        void onSuspect(long incarnation, DirectBuffer memberId, DirectBuffer fromId);

        void onDead(long incarnation, DirectBuffer memberId, DirectBuffer fromId);

        /** One member of a push-pull chunk; {@link #onPushPullEnd} follows the last. */
        void onPushPullMember(
            long incarnation,
            MemberStateCode state,
            DirectBuffer memberId,
            DirectBuffer endpoint,
            DirectBuffer metadata);

        /**
         * @param selfOnly a request for the responder's own entry only, or that answer (false from version 0).
         */
        void onPushPullEnd(
            boolean reply, boolean selfOnly, int chunkIndex, DirectBuffer sourceId, DirectBuffer sourceEndpoint);

        /** The whole encoded message is passed too, so that it can be re-gossiped as it came. */
        void onUserBroadcast(
            long sequence, DirectBuffer originId, DirectBuffer payload, DirectBuffer message, int offset, int length);
    }

    static final int MAX_DATAGRAM_LENGTH = 64 * 1024;
    /** PushPull's block before version 1 appended selfOnly: still read, as a full exchange. */
    static final int PUSH_PULL_V0_BLOCK_LENGTH = PushPullDecoder.selfOnlyEncodingOffset();

    private final PacketEnvelope envelope;
    private final MembershipCounters counters;
    private final UnsafeBuffer receiveBuffer = new UnsafeBuffer(new byte[MAX_DATAGRAM_LENGTH]);
    private final UnsafeBuffer payload = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer idView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer endpointView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer metadataView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer fromView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer sourceIdView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer sourceEndpointView = new UnsafeBuffer(0, 0);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final PingDecoder pingDecoder = new PingDecoder();
    private final IndirectPingDecoder indirectPingDecoder = new IndirectPingDecoder();
    private final AckDecoder ackDecoder = new AckDecoder();
    private final NackDecoder nackDecoder = new NackDecoder();
    private final AliveDecoder aliveDecoder = new AliveDecoder();
    private final SuspectDecoder suspectDecoder = new SuspectDecoder();
    private final DeadDecoder deadDecoder = new DeadDecoder();
    private final PushPullDecoder pushPullDecoder = new PushPullDecoder();
    private final UserBroadcastDecoder userBroadcastDecoder = new UserBroadcastDecoder();

    MessageReader(final PacketEnvelope envelope, final MembershipCounters counters)
    {
        this.envelope = envelope;
        this.counters = counters;
    }

    /**
     * Reads one datagram, counting it in and calling the handler for each valid message.
     */
    void read(final DirectBuffer buffer, final int offset, final int length, final Handler handler)
    {
        counters.increment(Counter.MESSAGES_IN);
        counters.add(Counter.BYTES_IN, length);
        if (length > MAX_DATAGRAM_LENGTH)
        {
            counters.increment(Counter.REJECTED_MALFORMED);
            return;
        }
        final int payloadLength = envelope.open(buffer, offset, length, receiveBuffer, 0);
        if (payloadLength < 0)
        {
            countRejected(payloadLength);
            return;
        }
        if (payloadLength == 0)
        {
            counters.increment(Counter.REJECTED_TRUNCATED); // every datagram carries at least one message
            return;
        }
        payload.wrap(receiveBuffer, 0, payloadLength);
        int position = 0;
        try
        {
            while (position < payloadLength)
            {
                final int next = readMessage(position, payloadLength, handler);
                if (next < 0)
                {
                    return;
                }
                position = next;
            }
        }
        catch (final IndexOutOfBoundsException | IllegalArgumentException ex)
        {
            // The flyweights' bounds checks: a length field pointing past the datagram.
            counters.increment(Counter.REJECTED_TRUNCATED);
        }
    }

    private void countRejected(final int reason)
    {
        switch (reason)
        {
            case PacketEnvelope.REJECTED_VERSION:
                counters.increment(Counter.REJECTED_VERSION);
                break;
            case PacketEnvelope.REJECTED_CLUSTER:
                counters.increment(Counter.REJECTED_CLUSTER);
                break;
            case PacketEnvelope.REJECTED_KEY:
                counters.increment(Counter.REJECTED_KEY);
                break;
            case PacketEnvelope.REJECTED_PLAINTEXT:
                counters.increment(Counter.REJECTED_PLAINTEXT);
                break;
            case PacketEnvelope.REJECTED_ENCRYPTED:
                counters.increment(Counter.REJECTED_ENCRYPTED);
                break;
            default:
                counters.increment(Counter.REJECTED_MALFORMED);
                break;
        }
    }

    /**
     * @return the position after the message, or -1 to drop the rest of the datagram.
     */
    private int readMessage(final int position, final int payloadLength, final Handler handler)
    {
        if (payloadLength - position < MessageCodec.HEADER_LENGTH)
        {
            counters.increment(Counter.REJECTED_TRUNCATED);
            return -1;
        }
        headerDecoder.wrap(payload, position);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            counters.increment(Counter.REJECTED_SCHEMA);
            return -1;
        }
        final int templateId = headerDecoder.templateId();
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        final int body = position + MessageCodec.HEADER_LENGTH;
        switch (templateId)
        {
            case PingDecoder.TEMPLATE_ID:
                return checkBlock(blockLength, PingDecoder.BLOCK_LENGTH) ?
                    readPing(body, blockLength, version, handler) : -1;
            case IndirectPingDecoder.TEMPLATE_ID:
                return checkBlock(blockLength, IndirectPingDecoder.BLOCK_LENGTH) ?
                    readIndirectPing(body, blockLength, version, handler) : -1;
            case AckDecoder.TEMPLATE_ID:
                return checkBlock(blockLength, AckDecoder.BLOCK_LENGTH) ?
                    readAck(body, blockLength, version, handler) : -1;
            case NackDecoder.TEMPLATE_ID:
                return checkBlock(blockLength, NackDecoder.BLOCK_LENGTH) ?
                    readNack(body, blockLength, version, handler) : -1;
            case AliveDecoder.TEMPLATE_ID:
                return checkBlock(blockLength, AliveDecoder.BLOCK_LENGTH) ?
                    readAlive(body, blockLength, version, handler) : -1;
            case SuspectDecoder.TEMPLATE_ID:
                return checkBlock(blockLength, SuspectDecoder.BLOCK_LENGTH) ?
                    readSuspect(body, blockLength, version, handler) : -1;
            case DeadDecoder.TEMPLATE_ID:
                return checkBlock(blockLength, DeadDecoder.BLOCK_LENGTH) ?
                    readDead(body, blockLength, version, handler) : -1;
            case PushPullDecoder.TEMPLATE_ID:
                return checkBlock(blockLength, PUSH_PULL_V0_BLOCK_LENGTH) ?
                    readPushPull(body, blockLength, version, handler) : -1;
            case UserBroadcastDecoder.TEMPLATE_ID:
                return checkBlock(blockLength, UserBroadcastDecoder.BLOCK_LENGTH) ?
                    readUserBroadcast(body, blockLength, version, handler) : -1;
            default:
                counters.increment(Counter.REJECTED_UNKNOWN_TEMPLATE);
                return -1;
        }
    }

    private boolean checkBlock(final int blockLength, final int expected)
    {
        // A newer version may append fields (a longer block); a shorter one is not a message of ours.
        if (blockLength < expected)
        {
            counters.increment(Counter.REJECTED_MALFORMED);
            return false;
        }
        return true;
    }

    private boolean validId(final DirectBuffer view)
    {
        final int length = view.capacity();
        if (length == 0 || length > MembershipContext.MAX_MEMBER_ID_LENGTH)
        {
            counters.increment(Counter.REJECTED_MALFORMED);
            return false;
        }
        return true;
    }

    private boolean validEndpoint(final DirectBuffer view)
    {
        final int length = view.capacity();
        if (length < 3 || length > MembershipContext.MAX_ENDPOINT_LENGTH)
        {
            counters.increment(Counter.REJECTED_MALFORMED);
            return false;
        }
        return true;
    }

    private boolean validIncarnation(final long incarnation)
    {
        if (incarnation < 0)
        {
            counters.increment(Counter.REJECTED_MALFORMED);
            return false;
        }
        return true;
    }

    private int readPing(final int offset, final int blockLength, final int version, final Handler handler)
    {
        pingDecoder.wrap(payload, offset, blockLength, version);
        final long sequence = pingDecoder.sequence();
        pingDecoder.wrapTargetId(idView);
        pingDecoder.wrapSourceId(sourceIdView);
        pingDecoder.wrapSourceEndpoint(sourceEndpointView);
        final int end = pingDecoder.limit();
        if (!validId(idView) || !validId(sourceIdView) || !validEndpoint(sourceEndpointView))
        {
            return -1;
        }
        handler.onPing(sequence, idView, sourceIdView, sourceEndpointView);
        return end;
    }

    private int readIndirectPing(final int offset, final int blockLength, final int version, final Handler handler)
    {
        indirectPingDecoder.wrap(payload, offset, blockLength, version);
        final long sequence = indirectPingDecoder.sequence();
        final boolean wantNack = indirectPingDecoder.wantNack() == BooleanType.TRUE;
        indirectPingDecoder.wrapTargetId(idView);
        indirectPingDecoder.wrapTargetEndpoint(endpointView);
        indirectPingDecoder.wrapSourceId(sourceIdView);
        indirectPingDecoder.wrapSourceEndpoint(sourceEndpointView);
        final int end = indirectPingDecoder.limit();
        if (!validId(idView) || !validEndpoint(endpointView) || !validId(sourceIdView) ||
            !validEndpoint(sourceEndpointView))
        {
            return -1;
        }
        handler.onIndirectPing(sequence, wantNack, idView, endpointView, sourceIdView, sourceEndpointView);
        return end;
    }

    private int readAck(final int offset, final int blockLength, final int version, final Handler handler)
    {
        ackDecoder.wrap(payload, offset, blockLength, version);
        final long sequence = ackDecoder.sequence();
        final boolean forwarded = ackDecoder.forwarded() == BooleanType.TRUE;
        handler.onAck(sequence, forwarded);
        return offset + blockLength;
    }

    private int readNack(final int offset, final int blockLength, final int version, final Handler handler)
    {
        nackDecoder.wrap(payload, offset, blockLength, version);
        handler.onNack(nackDecoder.sequence());
        return offset + blockLength;
    }

    private int readAlive(final int offset, final int blockLength, final int version, final Handler handler)
    {
        aliveDecoder.wrap(payload, offset, blockLength, version);
        final long incarnation = aliveDecoder.incarnation();
        aliveDecoder.wrapMemberId(idView);
        aliveDecoder.wrapEndpoint(endpointView);
        aliveDecoder.wrapMetadata(metadataView);
        final int end = aliveDecoder.limit();
        if (!validId(idView) || !validEndpoint(endpointView) || !validIncarnation(incarnation))
        {
            return -1;
        }
        handler.onAlive(incarnation, idView, endpointView, metadataView);
        return end;
    }

    private int readSuspect(final int offset, final int blockLength, final int version, final Handler handler)
    {
        suspectDecoder.wrap(payload, offset, blockLength, version);
        final long incarnation = suspectDecoder.incarnation();
        suspectDecoder.wrapMemberId(idView);
        suspectDecoder.wrapFromId(fromView);
        final int end = suspectDecoder.limit();
        if (!validId(idView) || !validId(fromView) || !validIncarnation(incarnation))
        {
            return -1;
        }
        handler.onSuspect(incarnation, idView, fromView);
        return end;
    }

    private int readDead(final int offset, final int blockLength, final int version, final Handler handler)
    {
        deadDecoder.wrap(payload, offset, blockLength, version);
        final long incarnation = deadDecoder.incarnation();
        deadDecoder.wrapMemberId(idView);
        deadDecoder.wrapFromId(fromView);
        final int end = deadDecoder.limit();
        if (!validId(idView) || !validId(fromView) || !validIncarnation(incarnation))
        {
            return -1;
        }
        handler.onDead(incarnation, idView, fromView);
        return end;
    }

    /**
     * A chunk is read twice: first to check every member and the source, then to hand the members over. A chunk with
     * one bad member, or cut short, is refused whole, so rejected input never changes the view (the next push-pull
     * carries the state again).
     */
    private int readPushPull(final int offset, final int blockLength, final int version, final Handler handler)
    {
        final int end = checkPushPull(offset, blockLength, version);
        if (end < 0)
        {
            return -1;
        }

        pushPullDecoder.wrap(payload, offset, blockLength, version);
        final boolean reply = pushPullDecoder.reply() == BooleanType.TRUE;
        // The decoder checks only the version: a block too short for the field must not be read past.
        final boolean selfOnly = blockLength >= PushPullDecoder.BLOCK_LENGTH &&
            pushPullDecoder.selfOnly() == BooleanType.TRUE;
        final int chunkIndex = pushPullDecoder.chunkIndex();
        final PushPullDecoder.MembersDecoder members = pushPullDecoder.members();
        while (members.hasNext())
        {
            members.next();
            members.wrapMemberId(idView);
            members.wrapEndpoint(endpointView);
            members.wrapMetadata(metadataView);
            handler.onPushPullMember(members.incarnation(), members.state(), idView, endpointView, metadataView);
        }
        pushPullDecoder.wrapSourceId(sourceIdView);
        pushPullDecoder.wrapSourceEndpoint(sourceEndpointView);
        handler.onPushPullEnd(reply, selfOnly, chunkIndex, sourceIdView, sourceEndpointView);
        return end;
    }

    private int checkPushPull(final int offset, final int blockLength, final int version)
    {
        pushPullDecoder.wrap(payload, offset, blockLength, version);
        final PushPullDecoder.MembersDecoder members = pushPullDecoder.members();
        while (members.hasNext())
        {
            members.next();
            final long incarnation = members.incarnation();
            final MemberStateCode state = members.state();
            members.wrapMemberId(idView);
            members.wrapEndpoint(endpointView);
            members.wrapMetadata(metadataView);
            if (!validId(idView) || !validEndpoint(endpointView) || !validIncarnation(incarnation))
            {
                return -1;
            }
            if (state == MemberStateCode.NULL_VAL)
            {
                counters.increment(Counter.REJECTED_MALFORMED);
                return -1;
            }
        }
        pushPullDecoder.wrapSourceId(sourceIdView);
        pushPullDecoder.wrapSourceEndpoint(sourceEndpointView);
        final int end = pushPullDecoder.limit();
        return validId(sourceIdView) && validEndpoint(sourceEndpointView) ? end : -1;
    }

    private int readUserBroadcast(final int offset, final int blockLength, final int version, final Handler handler)
    {
        userBroadcastDecoder.wrap(payload, offset, blockLength, version);
        final long sequence = userBroadcastDecoder.sequence();
        userBroadcastDecoder.wrapOriginId(idView);
        userBroadcastDecoder.wrapPayload(metadataView);
        final int end = userBroadcastDecoder.limit();
        if (!validId(idView))
        {
            return -1;
        }
        final int start = offset - MessageCodec.HEADER_LENGTH;
        handler.onUserBroadcast(sequence, idView, metadataView, payload, start, end - start);
        return end;
    }
}
