package io.swimlog.broker;

/**
 * A fetch the broker could not answer yet: a long poll waiting for data at the log end, or a response waiting
 * for its session's publication to drain. Pooled by the conductor; mutable.
 */
final class PendingFetch
{
    ClientSession session;
    long correlationId;
    Partition partition;
    long fetchOffset;
    int maxBytes;
    long deadlineNs;

    PendingFetch set(
        final ClientSession session,
        final long correlationId,
        final Partition partition,
        final long fetchOffset,
        final int maxBytes,
        final long deadlineNs)
    {
        this.session = session;
        this.correlationId = correlationId;
        this.partition = partition;
        this.fetchOffset = fetchOffset;
        this.maxBytes = maxBytes;
        this.deadlineNs = deadlineNs;

        return this;
    }

    void reset()
    {
        session = null;
        partition = null;
    }
}
