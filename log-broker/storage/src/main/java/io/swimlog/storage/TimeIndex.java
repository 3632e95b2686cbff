package io.swimlog.storage;

import java.io.File;
import java.io.IOException;

/**
 * Maps timestamps to offsets, sparsely, for look-ups by time.
 * <p>
 * Entry (12 bytes, little-endian): timestamp (int64) and relative offset (int32). An entry (T, o) means: every
 * record at an offset up to o in this segment has a timestamp of at most T. Entries are added beside offset
 * index entries, only when the segment's largest timestamp has grown, so T strictly increases, as does o.
 * To find the first record with timestamp at least t, take the last entry with T &lt; t: the answer lies after
 * its offset.
 *
 * @see AbstractIndex for the warm-tail search and the threading contract.
 */
final class TimeIndex extends AbstractIndex
{
    static final int ENTRY_SIZE = 12;

    TimeIndex(final File file, final long baseOffset, final int maxBytes, final boolean writable) throws IOException
    {
        super(file, baseOffset, ENTRY_SIZE, maxBytes, writable);
    }

    protected long keyAt(final int slot)
    {
        return buffer.getLong(slot * ENTRY_SIZE);
    }

    long offsetAt(final int slot)
    {
        return baseOffset + buffer.getInt(slot * ENTRY_SIZE + 8);
    }

    protected boolean isValidNext(final int slot, final int logSize)
    {
        final long timestamp = buffer.getLong(slot * ENTRY_SIZE);
        final int relativeOffset = buffer.getInt(slot * ENTRY_SIZE + 8);
        if (relativeOffset < 0 || (0 == timestamp && 0 == relativeOffset))
        {
            return false;
        }

        return 0 == slot ||
            (timestamp > keyAt(slot - 1) && relativeOffset > buffer.getInt((slot - 1) * ENTRY_SIZE + 8));
    }

    /**
     * @return the largest timestamp indexed, or {@link Long#MIN_VALUE} when empty.
     */
    long lastTimestamp()
    {
        final int n = entries();
        return 0 == n ? Long.MIN_VALUE : keyAt(n - 1);
    }

    /**
     * Append (timestamp, offset) if the timestamp is above the last entry's and there is room.
     *
     * @param timestamp largest timestamp of the segment so far.
     * @param offset    last offset covered by it.
     */
    void maybeAppend(final long timestamp, final long offset)
    {
        final int n = entries();
        if (isFull() || Long.MIN_VALUE == timestamp || offset < baseOffset ||
            (n > 0 && (timestamp <= keyAt(n - 1) || offset <= offsetAt(n - 1))) ||
            (0 == timestamp && offset == baseOffset))
        {
            return;
        }

        final int index = nextEntryIndex();
        buffer.putLong(index, timestamp);
        buffer.putInt(index + 8, (int)(offset - baseOffset));
        commitEntry();
    }

    /**
     * @param timestamp to look for.
     * @return the offset of the last entry with a timestamp below {@code timestamp}, or -1 if none.
     */
    long offsetBefore(final long timestamp)
    {
        if (Long.MIN_VALUE == timestamp)
        {
            return -1;
        }

        final int slot = largestLowerBoundSlot(timestamp - 1);
        return -1 == slot ? -1 : offsetAt(slot);
    }

    /**
     * Drop entries whose offset is at or after {@code offset}.
     *
     * @param offset the log was truncated to.
     */
    void truncateToOffset(final long offset)
    {
        int n = entries();
        while (n > 0 && offsetAt(n - 1) >= offset)
        {
            n--;
        }
        truncateToEntries(n);
    }
}
