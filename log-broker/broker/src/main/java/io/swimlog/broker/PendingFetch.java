package io.swimlog.broker;

/**
 * A fetch the broker could not answer yet, or an open fetch that answers again as data arrives: a long poll
 * waiting for data at the log end, a response waiting for its session's publication to drain, or an open fetch
 * between answers (then {@link #fetchOffset} is where the next answer starts and {@link #creditBytes} what it may
 * still send). Pooled by the conductor; mutable.
 */
final class PendingFetch
{
    ClientSession session;
    long correlationId;
    Partition partition;
    long fetchOffset;
    int maxBytes;
    long deadlineNs;
    long waitNs;
    boolean open;
    long creditBytes;
    boolean replaced;

    PendingFetch set(
        final ClientSession session,
        final long correlationId,
        final Partition partition,
        final long fetchOffset,
        final int maxBytes,
        final long waitNs,
        final long deadlineNs,
        final boolean open,
        final long creditBytes)
    {
        this.session = session;
        this.correlationId = correlationId;
        this.partition = partition;
        this.fetchOffset = fetchOffset;
        this.maxBytes = maxBytes;
        this.waitNs = waitNs;
        this.deadlineNs = deadlineNs;
        this.open = open;
        this.creditBytes = creditBytes;
        this.replaced = false;

        return this;
    }

    void reset()
    {
        session = null;
        partition = null;
    }
}
