package io.swimlog.membership;

import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;

/**
 * Turns the core's events into {@link MembershipEvent}s for the application's listener. A listener that throws is
 * reported to the error handler and does not disturb the protocol.
 */
final class EventDispatcher implements MembershipCore.EventSink
{
    private final MembershipListener listener;
    private final EpochClock epochClock;
    private final ErrorHandler errorHandler;
    private MembershipCore core;

    EventDispatcher(final MembershipListener listener, final EpochClock epochClock, final ErrorHandler errorHandler)
    {
        this.listener = listener;
        this.epochClock = epochClock;
        this.errorHandler = errorHandler;
    }

    void core(final MembershipCore core)
    {
        this.core = core;
    }

    public void onMemberEvent(
        final MembershipEventType type, final String memberId, final long incarnation, final long nowNs)
    {
        final Member member = core.member(memberId);
        if (member == null)
        {
            return;
        }
        try
        {
            listener.onEvent(new MembershipEvent(type, member, epochClock.time()));
        }
        catch (final Exception ex)
        {
            errorHandler.onError(ex);
        }
    }

    public void onBroadcast(final String fromMemberId, final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            listener.onBroadcast(fromMemberId, buffer, offset, length);
        }
        catch (final Exception ex)
        {
            errorHandler.onError(ex);
        }
    }

    public void onWarning(final String message)
    {
        try
        {
            listener.onWarning(message);
        }
        catch (final Exception ex)
        {
            errorHandler.onError(ex);
        }
    }
}
