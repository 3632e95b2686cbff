package io.swimlog.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The leader epoch history of a partition: for each epoch in which anything was appended, the offset of its
 * first batch. Kept beside the log in {@code leader-epoch-checkpoint} and rewritten on every change (changes
 * come with leader elections, so they are rare and off the append path's steady state).
 * <p>
 * Invariants: epochs and start offsets both strictly increase; every start offset is within the log.
 * <p>
 * Threading: changed only by the log's writer; read under the same lock through {@link PartitionLog}.
 */
public final class LeaderEpochCache
{
    /**
     * Returned for an epoch the cache knows nothing about.
     */
    public static final long UNDEFINED_OFFSET = -1;

    private final LeaderEpochCheckpoint checkpoint;
    private final ArrayList<long[]> entries = new ArrayList<>();

    LeaderEpochCache(final LeaderEpochCheckpoint checkpoint) throws IOException
    {
        this.checkpoint = checkpoint;
        for (final long[] entry : checkpoint.read())
        {
            entries.add(new long[]{ entry[0], entry[1] });
        }
    }

    /**
     * @return the latest epoch, or -1 when none.
     */
    public synchronized int latestEpoch()
    {
        return entries.isEmpty() ? -1 : (int)entries.get(entries.size() - 1)[0];
    }

    /**
     * @return (epoch, start offset) pairs, oldest first: a copy.
     */
    public synchronized List<long[]> entries()
    {
        final List<long[]> copy = new ArrayList<>(entries.size());
        for (final long[] e : entries)
        {
            copy.add(e.clone());
        }

        return copy;
    }

    /**
     * KIP-101's OffsetsForLeaderEpoch: where did {@code epoch} end in this log?
     *
     * @param epoch        asked about.
     * @param logEndOffset of the log.
     * @return the start offset of the first epoch above {@code epoch} (the log end offset if {@code epoch} is
     * the latest), or {@link #UNDEFINED_OFFSET} if the log has no epoch at or below it.
     */
    public synchronized long endOffsetFor(final int epoch, final long logEndOffset)
    {
        if (entries.isEmpty() || epoch < entries.get(0)[0])
        {
            return UNDEFINED_OFFSET;
        }

        for (final long[] e : entries)
        {
            if (e[0] > epoch)
            {
                return e[1];
            }
        }

        return logEndOffset;
    }

    /**
     * Record that {@code epoch} starts at {@code startOffset}, if it is a new epoch.
     *
     * @return true if the history changed.
     */
    synchronized boolean assign(final int epoch, final long startOffset) throws IOException
    {
        if (!entries.isEmpty())
        {
            final long[] last = entries.get(entries.size() - 1);
            if (epoch <= last[0])
            {
                return false;
            }
        }

        entries.add(new long[]{ epoch, startOffset });
        flush();

        return true;
    }

    /**
     * Forget epochs that start at or after {@code endOffset}: the log was truncated there.
     */
    synchronized void truncateFromEnd(final long endOffset) throws IOException
    {
        boolean changed = false;
        while (!entries.isEmpty() && entries.get(entries.size() - 1)[1] >= endOffset)
        {
            entries.remove(entries.size() - 1);
            changed = true;
        }
        if (changed)
        {
            flush();
        }
    }

    /**
     * The log now starts at {@code startOffset}: drop epochs wholly before it and move the start of the one
     * holding it.
     */
    synchronized void truncateFromStart(final long startOffset) throws IOException
    {
        boolean changed = false;
        while (entries.size() > 1 && entries.get(1)[1] <= startOffset)
        {
            entries.remove(0);
            changed = true;
        }
        if (!entries.isEmpty() && entries.get(0)[1] < startOffset)
        {
            entries.get(0)[1] = startOffset;
            changed = true;
        }
        if (changed)
        {
            flush();
        }
    }

    private void flush() throws IOException
    {
        checkpoint.write(entries);
    }
}
