package io.swimlog.membership;

import io.swimlog.membership.codecs.MemberStateCode;
import org.agrona.DirectBuffer;

/**
 * A {@link MessageReader.Handler} that ignores every message: tests that read what a member sends override only the
 * messages they record.
 */
abstract class MessageHandlerAdapter implements MessageReader.Handler
{
    public void onPing(
        final long sequence, final DirectBuffer targetId, final DirectBuffer sourceId, final DirectBuffer sourceEndpoint)
    {
    }

    public void onIndirectPing(
        final long sequence, final boolean wantNack, final DirectBuffer targetId, final DirectBuffer targetEndpoint,
        final DirectBuffer sourceId, final DirectBuffer sourceEndpoint)
    {
    }

    public void onAck(final long sequence, final boolean forwarded)
    {
    }

    public void onNack(final long sequence)
    {
    }

    public void onAlive(
        final long incarnation, final DirectBuffer memberId, final DirectBuffer endpoint, final DirectBuffer metadata)
    {
    }

    public void onSuspect(final long incarnation, final DirectBuffer memberId, final DirectBuffer fromId)
    {
    }

    public void onDead(final long incarnation, final DirectBuffer memberId, final DirectBuffer fromId)
    {
    }

    public void onPushPullMember(
        final long incarnation, final MemberStateCode state, final DirectBuffer memberId, final DirectBuffer endpoint,
        final DirectBuffer metadata)
    {
    }

    public void onPushPullEnd(
        final boolean reply, final boolean selfOnly, final int chunkIndex, final DirectBuffer sourceId,
        final DirectBuffer sourceEndpoint)
    {
    }

    public void onUserBroadcast(
        final long sequence, final DirectBuffer originId, final DirectBuffer payload, final DirectBuffer message,
        final int offset, final int length)
    {
    }
}
