package io.swimlog.storage;

import java.io.File;
import java.io.IOException;

/**
 * Maps a batch's base offset to its byte position in the segment's log file, sparsely: an entry is added once
 * at least {@code indexIntervalBytes} of batches were appended since the last one.
 * <p>
 * Entry (8 bytes, little-endian): relative offset (int32, base offset minus the segment's base offset) and
 * position (int32). Invariant: both strictly increase from entry to entry, and every position is the start of a
 * batch whose base offset is the entry's offset. A look-up gives the position of the largest indexed batch
 * starting at or before the target, from where a short scan of batch headers finds the batch holding it.
 *
 * @see AbstractIndex for the warm-tail search and the threading contract.
 */
final class OffsetIndex extends AbstractIndex
{
    static final int ENTRY_SIZE = 8;

    OffsetIndex(final File file, final long baseOffset, final int maxBytes, final boolean writable) throws IOException
    {
        super(file, baseOffset, ENTRY_SIZE, maxBytes, writable);
    }

    protected long keyAt(final int slot)
    {
        return buffer.getInt(slot * ENTRY_SIZE);
    }

    int positionAt(final int slot)
    {
        return buffer.getInt(slot * ENTRY_SIZE + 4);
    }

    long offsetAt(final int slot)
    {
        return baseOffset + buffer.getInt(slot * ENTRY_SIZE);
    }

    protected boolean isValidNext(final int slot, final int logSize)
    {
        final int relativeOffset = buffer.getInt(slot * ENTRY_SIZE);
        final int position = buffer.getInt(slot * ENTRY_SIZE + 4);
        if (relativeOffset < 0 || position < 0 || position >= logSize)
        {
            return false;
        }

        return 0 == slot ||
            (relativeOffset > buffer.getInt((slot - 1) * ENTRY_SIZE) && position > positionAt(slot - 1));
    }

    /**
     * @param offset   base offset of the batch, above every indexed one.
     * @param position of the batch in the log file, above every indexed one.
     */
    void append(final long offset, final int position)
    {
        final int index = nextEntryIndex();
        buffer.putInt(index, (int)(offset - baseOffset));
        buffer.putInt(index + 4, position);
        commitEntry();
    }

    /**
     * @param targetOffset absolute offset.
     * @return position of the largest indexed batch starting at or before it, or 0.
     */
    int lookup(final long targetOffset)
    {
        final long relative = targetOffset - baseOffset;
        final int slot = largestLowerBoundSlot(Math.min(relative, Integer.MAX_VALUE));

        return -1 == slot ? 0 : positionAt(slot);
    }

    /**
     * @param position byte position in the log.
     * @return slot of the last entry whose position is at or below {@code position}, or -1.
     */
    int floorSlotByPosition(final int position)
    {
        int lo = 0;
        int hi = entries() - 1;
        int found = -1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (positionAt(mid) <= position)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /**
     * Drop entries for batches at or after {@code position}.
     *
     * @param position the log was truncated to.
     */
    void truncateToPosition(final int position)
    {
        int n = entries();
        while (n > 0 && positionAt(n - 1) >= position)
        {
            n--;
        }
        truncateToEntries(n);
    }
}
