package io.swimlog.broker;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableRingBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;

/**
 * One connected client as the broker sees it: the publication its responses go to (the channel the client named
 * when it connected), when it was last heard from, and the small responses waiting because it is not reading
 * fast enough.
 * <p>
 * Back-pressure stays with the session that causes it: a response that cannot be offered waits in this session's
 * backlog (and its fetches wait as pending fetches), so a slow consumer never stalls the conductor, producers or
 * other consumers. A backlog beyond {@link #MAX_BACKLOG_BYTES} means the client stopped reading: the session is
 * closed.
 * <p>
 * Its open fetches (one per partition at most: a new fetch for a partition replaces the open one) are listed
 * here too, so that a credit grant or a replacing fetch finds them without a search of every session's fetches.
 * <p>
 * Not thread safe: owned by the broker conductor.
 */
final class ClientSession implements AutoCloseable
{
    static final int MAX_BACKLOG_BYTES = 16 * 1024 * 1024;

    enum State
    {
        AWAITING_PUBLICATION, AWAITING_CONNECTION, OPEN, CLOSED
    }

    private final long sessionId;
    private final long connectCorrelationId;
    private final String responseChannel;
    private final int responseStreamId;
    private final long registrationId;
    private final ExpandableRingBuffer backlog = new ExpandableRingBuffer(0, MAX_BACKLOG_BYTES, true);
    private final ExpandableRingBuffer.MessageConsumer backlogOfferer = this::offerFromBacklog;
    private final ArrayList<PendingFetch> openFetches = new ArrayList<>();
    private ExclusivePublication publication;
    private State state = State.AWAITING_PUBLICATION;
    private long lastActivityNs;
    private long connectDeadlineNs;
    private int pendingFetches;
    private io.swimlog.protocol.broker.ErrorCode refusal = io.swimlog.protocol.broker.ErrorCode.NONE;
    private String refusalMessage = "";

    ClientSession(
        final long sessionId,
        final long connectCorrelationId,
        final String responseChannel,
        final int responseStreamId,
        final long registrationId,
        final long nowNs,
        final long connectDeadlineNs)
    {
        this.sessionId = sessionId;
        this.connectCorrelationId = connectCorrelationId;
        this.responseChannel = responseChannel;
        this.responseStreamId = responseStreamId;
        this.registrationId = registrationId;
        this.lastActivityNs = nowNs;
        this.connectDeadlineNs = connectDeadlineNs;
    }

    long sessionId()
    {
        return sessionId;
    }

    long connectCorrelationId()
    {
        return connectCorrelationId;
    }

    String responseChannel()
    {
        return responseChannel;
    }

    int responseStreamId()
    {
        return responseStreamId;
    }

    long registrationId()
    {
        return registrationId;
    }

    State state()
    {
        return state;
    }

    void state(final State state)
    {
        this.state = state;
    }

    ExclusivePublication publication()
    {
        return publication;
    }

    void publication(final ExclusivePublication publication)
    {
        this.publication = publication;
    }

    long lastActivityNs()
    {
        return lastActivityNs;
    }

    void touch(final long nowNs)
    {
        lastActivityNs = nowNs;
    }

    long connectDeadlineNs()
    {
        return connectDeadlineNs;
    }

    int pendingFetches()
    {
        return pendingFetches;
    }

    void pendingFetches(final int pendingFetches)
    {
        this.pendingFetches = pendingFetches;
    }

    /**
     * @return this session's open fetches, each also in the conductor's pending fetches.
     */
    ArrayList<PendingFetch> openFetches()
    {
        return openFetches;
    }

    /**
     * Answer the connect with an error and end the session once the response is out.
     */
    void refuse(final io.swimlog.protocol.broker.ErrorCode error, final String message)
    {
        refusal = error;
        refusalMessage = message;
    }

    io.swimlog.protocol.broker.ErrorCode refusal()
    {
        return refusal;
    }

    String refusalMessage()
    {
        return refusalMessage;
    }

    boolean hasBacklog()
    {
        return !backlog.isEmpty();
    }

    /**
     * Send a response now, or keep it for later if the client is not keeping up.
     *
     * @return false if the session is gone (not connected, closed or hopelessly behind).
     */
    boolean send(final DirectBuffer buffer, final int offset, final int length, final BrokerCounters counters)
    {
        if (State.OPEN != state)
        {
            return false;
        }

        if (backlog.isEmpty())
        {
            final long result = publication.offer(buffer, offset, length);
            if (result > 0)
            {
                return true;
            }
            if (Publication.BACK_PRESSURED != result && Publication.ADMIN_ACTION != result)
            {
                state = State.CLOSED;
                return false;
            }
            counters.backPressured().incrementRelease();
        }

        if (!backlog.append(buffer, offset, length))
        {
            state = State.CLOSED;
            return false;
        }

        return true;
    }

    /**
     * Offer what waits in the backlog, in order, until the publication pushes back.
     *
     * @return messages sent.
     */
    int drainBacklog()
    {
        if (backlog.isEmpty() || State.OPEN != state)
        {
            return 0;
        }

        return backlog.consume(backlogOfferer, Integer.MAX_VALUE) > 0 ? 1 : 0;
    }

    private boolean offerFromBacklog(
        final MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        final long result = publication.offer(buffer, offset, length);
        if (result > 0)
        {
            return true;
        }
        if (Publication.BACK_PRESSURED != result && Publication.ADMIN_ACTION != result)
        {
            state = State.CLOSED;
        }

        return false;
    }

    public void close()
    {
        state = State.CLOSED;
        CloseHelper.quietClose(publication);
        publication = null;
        backlog.reset(0);
        openFetches.clear();
    }
}
