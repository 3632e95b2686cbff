package io.swimlog.storage;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * A sparse, memory-mapped index file of fixed-size entries sorted by a key (offset or timestamp), owned by one
 * {@link LogSegment}.
 * <p>
 * The file of the active segment is preallocated to its maximum size <em>with zeros written out</em>, not as a
 * sparse file: a write through a mapping into an unallocated page on a full disk raises SIGBUS and takes the
 * JVM down, whereas a preallocated file fails cleanly (with an IOException) when it is created. When a segment
 * stops being active its index is trimmed to the entries it holds, so a cleanly closed index's length gives its
 * entry count; an untrimmed one (after a crash) ends in zero entries that {@link #loadEntries} stops at.
 * <p>
 * Look-ups search the warm tail first. Appends, and nearly all look-ups (consumers and followers that keep
 * up), touch only the last few pages of the index; a plain binary search over the whole file would touch pages
 * spread over all of it, which the kernel may have evicted, and a page fault there can stall a produce or fetch
 * for a disk read (Kafka measured look-ups going from microseconds to a second this way). So if the target is
 * at or after the first entry of the last {@link #WARM_BYTES} bytes, only that warm section is searched, and
 * otherwise only the cold part before it.
 * <p>
 * Threading: one writer (the log's append thread) appends and truncates; readers on other threads may look up
 * concurrently: {@link #entries} is volatile and published after the entry's bytes are written. A mapping is
 * never unmapped while the index is in use (only by {@link #close()} when the whole log closes): trimming only
 * shortens the file below a mapping that readers never read past its entries, and growing maps the file anew
 * and publishes the new buffer, leaving the old mapping to the garbage collector. So a reader racing a roll
 * can never touch unmapped memory, which would crash the JVM rather than throw.
 */
abstract class AbstractIndex implements AutoCloseable
{
    /**
     * Bytes at the end of the index treated as warm: 8 KiB, the last two 4 KiB pages, small enough to stay in
     * the page cache and in the CPU cache as entries are appended.
     */
    static final int WARM_BYTES = 8192;

    private static final int ZERO_CHUNK = 64 * 1024;

    protected final long baseOffset;
    protected final int entrySize;
    private final File file;
    private final int maxEntries;
    private MappedByteBuffer mappedBuffer;
    protected volatile UnsafeBuffer buffer;
    private int mappedEntries;
    private volatile int entries;
    private boolean closed;

    /**
     * Open or create the index.
     *
     * @param file       of the index.
     * @param baseOffset of the segment.
     * @param entrySize  bytes per entry.
     * @param maxBytes   most bytes the index may grow to; the file is preallocated to it when writable.
     * @param writable   true for the active segment (preallocate and map the full size), false to map as is.
     */
    AbstractIndex(final File file, final long baseOffset, final int entrySize, final int maxBytes, final boolean writable)
        throws IOException
    {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        this.maxEntries = maxBytes / entrySize;
        map(writable);
    }

    private void map(final boolean writable) throws IOException
    {
        try (FileChannel channel = FileChannel.open(
            file.toPath(), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long existing = channel.size();
            final long length;
            if (writable)
            {
                length = (long)maxEntries * entrySize;
                if (existing < length)
                {
                    preallocate(channel, existing, length);
                }
                else if (existing > length)
                {
                    channel.truncate(length);
                }
            }
            else
            {
                length = existing - existing % entrySize;
            }

            if (null == mappedBuffer || mappedBuffer.capacity() < length)
            {
                mappedBuffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
                buffer = new UnsafeBuffer(mappedBuffer);
            }
            mappedEntries = (int)(length / entrySize);
        }
    }

    private static void preallocate(final FileChannel channel, final long from, final long to) throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocate((int)Math.min(ZERO_CHUNK, to - from));
        long position = from;
        while (position < to)
        {
            zeros.clear().limit((int)Math.min(zeros.capacity(), to - position));
            position += channel.write(zeros, position);
        }
    }

    /**
     * Determine the entry count of a loaded file: the longest prefix of well-formed entries.
     *
     * @param logSize size of the segment's log file, which every position must be below.
     * @return true if the whole file was that prefix followed only by zeros, false if something else followed
     * (corruption: the caller rebuilds).
     */
    boolean loadEntries(final int logSize)
    {
        int valid = 0;
        while (valid < mappedEntries && isValidNext(valid, logSize))
        {
            valid++;
        }

        final boolean clean = allZeroFrom(valid);
        entries = valid;

        return clean;
    }

    private boolean allZeroFrom(final int entry)
    {
        final long end = (long)mappedEntries * entrySize;
        for (long i = (long)entry * entrySize; i < end; i += 4)
        {
            if (0 != buffer.getInt((int)i))
            {
                return false;
            }
        }

        return true;
    }

    /**
     * @param slot    of the entry to check.
     * @param logSize of the segment's log.
     * @return whether entry {@code slot} is well formed and sorts after entry {@code slot - 1}.
     */
    protected abstract boolean isValidNext(int slot, int logSize);

    /**
     * @param slot of an entry.
     * @return the key the index is sorted by.
     */
    protected abstract long keyAt(int slot);

    /**
     * Find the largest entry whose key is at most {@code target}, warm tail first (see class comment).
     *
     * @param target key.
     * @return slot of that entry, or -1 if every entry is greater or the index is empty.
     */
    protected int largestLowerBoundSlot(final long target)
    {
        final int n = entries;
        if (0 == n || keyAt(0) > target)
        {
            return -1;
        }

        final int firstHotSlot = Math.max(0, n - 1 - WARM_BYTES / entrySize);
        if (keyAt(firstHotSlot) <= target)
        {
            return binarySearch(target, firstHotSlot, n - 1);
        }

        return binarySearch(target, 0, firstHotSlot);
    }

    private int binarySearch(final long target, final int begin, final int end)
    {
        int lo = begin;
        int hi = end;
        while (lo < hi)
        {
            final int mid = (lo + hi + 1) >>> 1;
            if (keyAt(mid) <= target)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /**
     * @return the byte index of the next entry to append; the caller writes it then calls {@link #commitEntry()}.
     */
    protected int nextEntryIndex()
    {
        if (isFull())
        {
            throw new IllegalStateException("index " + file + " is full (" + mappedEntries + " entries)");
        }

        return entries * entrySize;
    }

    protected void commitEntry()
    {
        entries = entries + 1;
    }

    int entries()
    {
        return entries;
    }

    boolean isFull()
    {
        return entries >= mappedEntries;
    }

    int maxEntries()
    {
        return maxEntries;
    }

    File file()
    {
        return file;
    }

    /**
     * Drop every entry from slot {@code n} on.
     *
     * @param n entries to keep.
     */
    protected void truncateToEntries(final int n)
    {
        final int current = entries;
        if (n < current)
        {
            entries = n;
            buffer.setMemory(n * entrySize, (current - n) * entrySize, (byte)0);
        }
    }

    /**
     * Drop every entry.
     */
    void reset()
    {
        truncateToEntries(0);
    }

    /**
     * Force the mapped pages to the device.
     */
    void force()
    {
        if (!closed && null != mappedBuffer)
        {
            mappedBuffer.force();
        }
    }

    /**
     * Shrink the file to its entries, done when the segment stops being active. The mapping stays (see class
     * comment); no entry is appended to an inactive index.
     */
    void trimToEntries() throws IOException
    {
        final int n = entries;
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            channel.truncate((long)n * entrySize);
        }
        mappedEntries = n;
    }

    /**
     * Grow the file back to its maximum: done when a trimmed segment becomes active again (reopen, truncation).
     */
    void makeWritable() throws IOException
    {
        final int n = entries;
        map(true);
        entries = n;
    }

    /**
     * Let go of the index without unmapping it, for a segment being deleted while readers may still hold it:
     * the garbage collector unmaps it once nothing refers to it.
     */
    void release()
    {
        closed = true;
    }

    /**
     * Unmap: only when the whole log closes, so no reader can be using it.
     */
    public void close()
    {
        closed = true;
        if (null != mappedBuffer)
        {
            buffer = new UnsafeBuffer(0, 0);
            IoUtil.unmap(mappedBuffer);
            mappedBuffer = null;
        }
    }

    void deleteFile() throws IOException
    {
        release();
        java.nio.file.Files.deleteIfExists(file.toPath());
    }
}
