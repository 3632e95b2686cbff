package io.swimlog.membership.aeron;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One peer that this transport sends to: its publication, where that publication is in its life, and the few
 * datagrams waiting for it to connect.
 * <p>
 * An Aeron publication is usable only after the driver has created it (asynchronously) and the peer's driver
 * has answered with a status message. Until then, {@link #enqueue} keeps up to a few datagrams, as an OS keeps
 * packets while it resolves a neighbour's address, so that the first ping to a peer after its publication
 * was closed for idleness is not lost. Instances are reused after {@link #reset()}; owned by the member's thread.
 */
final class PeerPublication
{
    /** Registration in flight, or publication created but not yet connected: datagrams may wait. */
    static final int CONNECTING = 1;
    /** Publication created; sends go straight to {@code offer} and fail when it is not connected. */
    static final int OPEN = 2;
    /** The driver refused the publication (unknown host); sends fail until {@link #retryAtNs}. */
    static final int UNREACHABLE = 3;

    String endpoint;
    int state;
    long registrationId = Aeron.NULL_VALUE;
    ExclusivePublication publication;
    long connectDeadlineNs;
    long lastSendNs;
    long retryAtNs;
    boolean isErrorReported;

    private UnsafeBuffer pending;
    private int pendingCount;
    private int pendingLength;

    void reset()
    {
        endpoint = null;
        state = 0;
        registrationId = Aeron.NULL_VALUE;
        publication = null;
        connectDeadlineNs = 0;
        lastSendNs = 0;
        retryAtNs = 0;
        isErrorReported = false;
        clearPending();
    }

    /**
     * Keeps a copy of a datagram until the publication connects.
     *
     * @return false when the queue is full (or has no room at all).
     */
    boolean enqueue(
        final DirectBuffer buffer, final int offset, final int length, final int maxDatagrams, final int maxLength)
    {
        if (pendingCount >= maxDatagrams)
        {
            return false;
        }
        if (null == pending)
        {
            pending = new UnsafeBuffer(new byte[maxDatagrams * (Integer.BYTES + maxLength)]);
        }
        pending.putInt(pendingLength, length);
        pending.putBytes(pendingLength + Integer.BYTES, buffer, offset, length);
        pendingLength += Integer.BYTES + length;
        pendingCount++;
        return true;
    }

    int pendingCount()
    {
        return pendingCount;
    }

    /**
     * Offers the waiting datagrams in order, stopping at the first the publication does not take.
     *
     * @return how many were sent.
     */
    int flush()
    {
        int sent = 0;
        int position = 0;
        while (sent < pendingCount)
        {
            final int length = pending.getInt(position);
            if (publication.offer(pending, position + Integer.BYTES, length) < 0)
            {
                break;
            }
            position += Integer.BYTES + length;
            sent++;
        }
        if (sent == pendingCount)
        {
            clearPending();
        }
        else if (sent > 0)
        {
            pending.putBytes(0, pending, position, pendingLength - position);
            pendingLength -= position;
            pendingCount -= sent;
        }
        return sent;
    }

    /**
     * Drops the waiting datagrams.
     *
     * @return how many were dropped.
     */
    int clearPending()
    {
        final int dropped = pendingCount;
        pendingCount = 0;
        pendingLength = 0;
        return dropped;
    }
}
