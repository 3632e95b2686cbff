package io.swimlog.storage;

import io.swimlog.protocol.record.BatchError;
import io.swimlog.protocol.record.RecordBatch;
import io.swimlog.protocol.record.RecordBatchReader;
import io.swimlog.protocol.record.RecordBatchValidator;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;

/**
 * One segment of a partition log: a log file of whole record batches plus its {@link OffsetIndex} and
 * {@link TimeIndex}, all named by the segment's base offset.
 * <p>
 * Invariants: every batch in the segment has offsets at or above {@link #baseOffset()} and above every offset
 * of earlier segments; batches are contiguous (each starts at the previous one's last offset + 1, the first at
 * the base offset); {@link #size()} bytes of the file are whole, valid batches, and bytes beyond it are never
 * read (a failed write may leave some until the next append overwrites or truncates them).
 * <p>
 * Threading: one writer (the log's writer, holding its lock) appends, rolls, recovers and truncates. Readers
 * on any thread may call {@link #positionOf}, {@link #readEnd} and {@link #offsetForTimestamp} concurrently with
 * appends: {@code size} and {@code nextOffset} are volatile and written after the bytes and index entries they
 * publish. The log's flusher may call {@link #flushLog()} concurrently with appends.
 */
final class LogSegment implements AutoCloseable
{
    static final long NO_TIMESTAMP = Long.MIN_VALUE;
    static final long NO_READ_HINT = -1L;

    private final long baseOffset;
    private final File logFile;
    private final FileChannel channel;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final int indexIntervalBytes;
    private final int maxBatchBytes;

    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = NO_TIMESTAMP;
    private long rollingTimestamp = NO_TIMESTAMP;
    private int bytesSinceLastIndexEntry;
    private volatile boolean active;
    private volatile UnsafeBuffer mappedLog;

    /**
     * Where the last read ended, a batch boundary: {@code (offset - baseOffset) << 32 | position}, or
     * {@link #NO_READ_HINT}. A consumer following the tail asks next for exactly that offset, so its look-up
     * starts there instead of at the index entry below it (up to an index interval of headers, one positional
     * read each while the segment is active). Cleared before a truncation moves boundaries.
     */
    private volatile long readHint = NO_READ_HINT;
    private boolean indexesDurable;
    private boolean dirtyTail;
    private boolean indexFilesMissing;

    private LogSegment(
        final File dir,
        final long baseOffset,
        final FileChannel channel,
        final OffsetIndex offsetIndex,
        final TimeIndex timeIndex,
        final LogContext ctx,
        final boolean active)
    {
        this.baseOffset = baseOffset;
        this.logFile = LogFileNames.logFile(dir, baseOffset);
        this.channel = channel;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.indexIntervalBytes = ctx.indexIntervalBytes();
        this.maxBatchBytes = ctx.maxBatchBytes();
        this.nextOffset = baseOffset;
        this.active = active;
    }

    /**
     * Create a new, empty, active segment. On failure (disk full while preallocating the indexes) nothing is
     * left behind.
     */
    static LogSegment create(final File dir, final long baseOffset, final LogContext ctx) throws IOException
    {
        final File log = LogFileNames.logFile(dir, baseOffset);
        final File index = LogFileNames.offsetIndexFile(dir, baseOffset);
        final File timeIndexFile = LogFileNames.timeIndexFile(dir, baseOffset);
        FileChannel channel = null;
        OffsetIndex offsetIndex = null;
        TimeIndex timeIndex = null;
        try
        {
            Files.deleteIfExists(index.toPath());
            Files.deleteIfExists(timeIndexFile.toPath());
            channel = FileChannel.open(log.toPath(),
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
            offsetIndex = new OffsetIndex(index, baseOffset, ctx.maxIndexBytes(), true);
            timeIndex = new TimeIndex(timeIndexFile, baseOffset, ctx.maxIndexBytes(), true);

            return new LogSegment(dir, baseOffset, channel, offsetIndex, timeIndex, ctx, true);
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(channel, offsetIndex, timeIndex, ex);
            deleteQuietly(log, index, timeIndexFile, ex);
            throw ex;
        }
    }

    /**
     * Open an existing segment's files as they are; the caller then either {@link #loadIndexes} or
     * {@link #recover}s it.
     */
    static LogSegment open(final File dir, final long baseOffset, final LogContext ctx) throws IOException
    {
        final File log = LogFileNames.logFile(dir, baseOffset);
        FileChannel channel = null;
        OffsetIndex offsetIndex = null;
        TimeIndex timeIndex = null;
        try
        {
            channel = FileChannel.open(log.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE);
            final long fileSize = channel.size();
            if (fileSize > Integer.MAX_VALUE)
            {
                throw new IOException("segment " + log + " is larger than 2 GiB: " + fileSize);
            }
            final File indexFile = LogFileNames.offsetIndexFile(dir, baseOffset);
            final File timeIndexFile = LogFileNames.timeIndexFile(dir, baseOffset);
            final boolean indexFilesMissing = !indexFile.exists() || !timeIndexFile.exists();
            offsetIndex = new OffsetIndex(indexFile, baseOffset, ctx.maxIndexBytes(), false);
            timeIndex = new TimeIndex(timeIndexFile, baseOffset, ctx.maxIndexBytes(), false);
            final LogSegment segment = new LogSegment(dir, baseOffset, channel, offsetIndex, timeIndex, ctx, false);
            segment.size = (int)fileSize;
            segment.indexFilesMissing = indexFilesMissing;

            return segment;
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(channel, offsetIndex, timeIndex, ex);
            throw ex;
        }
    }

    long baseOffset()
    {
        return baseOffset;
    }

    /**
     * @return offset the next batch appended to this segment will get (the base offset when empty).
     */
    long nextOffset()
    {
        return nextOffset;
    }

    int size()
    {
        return size;
    }

    long maxTimestamp()
    {
        return maxTimestamp;
    }

    FileChannel channel()
    {
        return channel;
    }

    File logFile()
    {
        return logFile;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    boolean isActive()
    {
        return active;
    }

    int offsetIndexEntries()
    {
        return offsetIndex.entries();
    }

    int timeIndexEntries()
    {
        return timeIndex.entries();
    }

    /**
     * Every reason to roll to a new segment before appending a batch, in one place. Age is measured as Kafka
     * does, in record time: the batch's max timestamp against the segment's first batch's, so a log replayed
     * with old timestamps rolls where the original did and a slow wall clock cannot roll it early.
     *
     * @param batchSize         bytes of the batch about to be appended.
     * @param lastOffset        of that batch.
     * @param batchMaxTimestamp of that batch.
     * @param segmentBytes      roll when the segment would exceed this.
     * @param segmentMs         roll when the batch is this much newer than the segment's first batch.
     */
    boolean shouldRoll(
        final int batchSize,
        final long lastOffset,
        final long batchMaxTimestamp,
        final int segmentBytes,
        final long segmentMs)
    {
        if (isEmpty())
        {
            return false;
        }

        return (long)size + batchSize > segmentBytes ||
            (NO_TIMESTAMP != rollingTimestamp && batchMaxTimestamp - rollingTimestamp > segmentMs) ||
            offsetIndex.isFull() ||
            timeIndex.isFull() ||
            lastOffset - baseOffset > Integer.MAX_VALUE;
    }

    /**
     * Append a validated, stamped batch at the end of the log file.
     *
     * @param source       bytes of the batch, position..limit.
     * @param batchBase    base offset stamped in it.
     * @param lastOffset   its last offset.
     * @param maxTimestamp its max timestamp.
     * @throws IOException if the write failed; the segment is then unchanged (see class invariants).
     */
    void append(final ByteBuffer source, final long batchBase, final long lastOffset, final long maxTimestamp)
        throws IOException
    {
        final int position = size;
        final int length = source.remaining();
        write(source, position);

        index(position, batchBase, lastOffset, maxTimestamp, length);
        size = position + length;
        nextOffset = lastOffset + 1;
    }

    /**
     * Append validated, stamped batches that lie back to back, with one write.
     *
     * @param source    bytes of all the batches, position..limit.
     * @param buffer    the same bytes, to index each batch.
     * @param offset    of the first batch in {@code buffer}.
     * @param length    of all of them.
     * @param flyweight scratch to read their headers.
     * @throws IOException if the write failed; the segment is then unchanged (see class invariants).
     */
    void appendBatches(
        final ByteBuffer source,
        final org.agrona.DirectBuffer buffer,
        final int offset,
        final int length,
        final RecordBatch flyweight) throws IOException
    {
        final int position = size;
        write(source, position);

        long lastOffset = nextOffset - 1;
        int p = 0;
        while (p < length)
        {
            flyweight.wrap(buffer, offset + p);
            final int batchSize = flyweight.totalSize();
            lastOffset = flyweight.lastOffset();
            index(position + p, flyweight.baseOffset(), lastOffset, flyweight.maxTimestamp(), batchSize);
            p += batchSize;
        }
        size = position + length;
        nextOffset = lastOffset + 1;
    }

    private void write(final ByteBuffer source, final int position) throws IOException
    {
        if (dirtyTail)
        {
            channel.truncate(position);
            dirtyTail = false;
        }

        try
        {
            long p = position;
            while (source.hasRemaining())
            {
                p += channel.write(source, p);
            }
        }
        catch (final IOException ex)
        {
            try
            {
                channel.truncate(position);
            }
            catch (final IOException suppressed)
            {
                dirtyTail = true;
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
    }

    private void index(
        final int position, final long batchBase, final long lastOffset, final long batchMaxTimestamp, final int length)
    {
        if (batchMaxTimestamp > maxTimestamp)
        {
            maxTimestamp = batchMaxTimestamp;
        }
        if (NO_TIMESTAMP == rollingTimestamp)
        {
            rollingTimestamp = batchMaxTimestamp;
        }

        if (bytesSinceLastIndexEntry >= indexIntervalBytes && !offsetIndex.isFull())
        {
            offsetIndex.append(batchBase, position);
            timeIndex.maybeAppend(maxTimestamp, lastOffset);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += length;
    }

    /**
     * Load the indexes of a segment not being recovered, checking them against the log.
     *
     * @param reader to scan the tail after the last index entry, to learn the next offset.
     * @return null if the indexes are sound, else why they are not (the caller rebuilds them by recovering).
     */
    String loadIndexes(final BatchHeaderReader reader) throws IOException
    {
        if (indexFilesMissing)
        {
            return "index file missing";
        }
        if (!offsetIndex.loadEntries(size))
        {
            return "offset index has entries out of order or beyond the log";
        }
        if (!timeIndex.loadEntries(Integer.MAX_VALUE))
        {
            return "time index has entries out of order";
        }

        final int n = offsetIndex.entries();
        int position = 0 == n ? 0 : offsetIndex.positionAt(n - 1);
        long expected = 0 == n ? baseOffset : offsetIndex.offsetAt(n - 1);
        final int limit = size;
        while (position < limit)
        {
            if (!reader.readHeader(channel, position, limit))
            {
                return "log ends inside a batch header at position " + position;
            }
            final RecordBatch header = reader.header();
            if (header.baseOffset() != expected || header.batchLength() < RecordBatch.HEADER_LENGTH - RecordBatch.LOG_OVERHEAD ||
                position + (long)header.totalSize() > limit)
            {
                return "offset index does not point at the batch boundaries of the log";
            }
            position += header.totalSize();
            expected = header.nextOffset();
        }

        nextOffset = expected;
        final int timeEntries = timeIndex.entries();
        maxTimestamp = 0 == timeEntries ? NO_TIMESTAMP : timeIndex.lastTimestamp();
        if (timeEntries > 0 && timeIndex.offsetAt(timeEntries - 1) >= expected)
        {
            return "time index points beyond the log";
        }
        if (size > 0 && reader.readHeader(channel, 0, size))
        {
            rollingTimestamp = reader.header().maxTimestamp();
        }

        return null;
    }

    /**
     * Rebuild the indexes and the segment's state from its log, checking every batch (length, CRC, records,
     * contiguous offsets) when {@code validate}, and truncate the log at the first batch that fails.
     *
     * @param reader    scratch for reading.
     * @param validator to check batches with.
     * @param validate  false to trust the batches (after a truncation of a recovered log).
     * @return null if every byte of the log was a valid batch, else the reason the log was truncated.
     */
    String recover(final BatchHeaderReader reader, final RecordBatchValidator validator, final boolean validate)
        throws IOException
    {
        readHint = NO_READ_HINT;
        offsetIndex.reset();
        timeIndex.reset();
        maxTimestamp = NO_TIMESTAMP;
        rollingTimestamp = NO_TIMESTAMP;
        bytesSinceLastIndexEntry = 0;

        final long fileSize = channel.size();
        int position = 0;
        long expected = baseOffset;
        String reason = null;
        while (position < fileSize)
        {
            if (!reader.readHeader(channel, position, fileSize))
            {
                reason = "partial batch header: " + (fileSize - position) + " bytes at position " + position;
                break;
            }

            final RecordBatch header = reader.header();
            final int batchLength = header.batchLength();
            if (batchLength < RecordBatch.HEADER_LENGTH - RecordBatch.LOG_OVERHEAD ||
                batchLength > maxBatchBytes - RecordBatch.LOG_OVERHEAD)
            {
                reason = BatchError.BAD_LENGTH.reason() + " (" + batchLength + ") at position " + position;
                break;
            }

            final int totalSize = header.totalSize();
            if (position + (long)totalSize > fileSize)
            {
                reason = "partial batch: header claims " + totalSize + " bytes, " + (fileSize - position) +
                    " remain at position " + position;
                break;
            }

            if (validate)
            {
                if (!reader.readBatch(channel, position, totalSize))
                {
                    reason = "log file shrank during recovery at position " + position;
                    break;
                }
                final BatchError error = validator.validate(reader.batchBuffer(), 0, totalSize);
                if (BatchError.OK != error)
                {
                    reason = error.reason() + " at position " + position;
                    break;
                }
            }
            else if (RecordBatch.MAGIC != header.magic())
            {
                reason = BatchError.UNSUPPORTED_MAGIC.reason() + " at position " + position;
                break;
            }

            if (header.baseOffset() != expected)
            {
                reason = "batch at position " + position + " has base offset " + header.baseOffset() +
                    ", expected " + expected;
                break;
            }

            if (offsetIndex.isFull() || timeIndex.isFull())
            {
                reason = "index full: batches beyond the index capacity at position " + position;
                break;
            }

            index(position, header.baseOffset(), header.lastOffset(), header.maxTimestamp(), totalSize);
            position += totalSize;
            expected = header.nextOffset();
        }

        if (position < fileSize)
        {
            channel.truncate(position);
        }
        size = position;
        nextOffset = expected;
        indexesDurable = false;

        return reason;
    }

    /**
     * @param targetOffset offset to find.
     * @param reader       scratch of the calling thread.
     * @return position of the batch holding {@code targetOffset} or the first after it, or -1 if none in this
     * segment.
     */
    int positionOf(final long targetOffset, final BatchHeaderReader reader) throws IOException
    {
        final int limit = size;
        int position = offsetIndex.lookup(targetOffset);
        final long hint = readHint;
        if (NO_READ_HINT != hint)
        {
            final int hintPosition = (int)hint;
            if (baseOffset + (hint >>> 32) <= targetOffset && hintPosition > position && hintPosition <= limit)
            {
                position = hintPosition;
            }
        }
        while (position < limit)
        {
            if (!readHeader(reader, position, limit))
            {
                return -1;
            }
            final RecordBatch header = reader.header();
            if (header.lastOffset() >= targetOffset)
            {
                return position;
            }
            position += header.totalSize();
        }

        return -1;
    }

    /**
     * @param start     position of a batch (from {@link #positionOf}).
     * @param firstSize size of that batch; it is always included so a reader makes progress.
     * @param maxBytes  most bytes wanted.
     * @param reader    scratch of the calling thread.
     * @return end position of the last whole batch that keeps the region within {@code maxBytes}.
     */
    int readEnd(final int start, final int firstSize, final int maxBytes, final BatchHeaderReader reader)
        throws IOException
    {
        final int limit = size;
        final long wantedEnd = Math.min(limit, (long)start + maxBytes);
        int end = start + firstSize;
        long endOffset = reader.header().nextOffset();
        if (end < wantedEnd)
        {
            final int slot = offsetIndex.floorSlotByPosition((int)wantedEnd);
            if (slot >= 0 && offsetIndex.positionAt(slot) > end)
            {
                end = offsetIndex.positionAt(slot);
                endOffset = offsetIndex.offsetAt(slot);
            }

            while (end < wantedEnd && readHeader(reader, end, limit))
            {
                final int next = end + reader.header().totalSize();
                if (next > wantedEnd)
                {
                    break;
                }
                end = next;
                endOffset = reader.header().nextOffset();
            }
        }
        reader.regionNextOffset(endOffset);
        if (endOffset - baseOffset <= Integer.MAX_VALUE)
        {
            readHint = ((endOffset - baseOffset) << 32) | end;
        }

        return end;
    }

    /**
     * @param timestamp wanted.
     * @param reader    scratch of the calling thread.
     * @return offset of the first record in this segment with a timestamp at or after {@code timestamp}, or -1.
     */
    long offsetForTimestamp(final long timestamp, final BatchHeaderReader reader) throws IOException
    {
        if (maxTimestamp < timestamp)
        {
            return -1;
        }

        final long before = timeIndex.offsetBefore(timestamp);
        int position = before < 0 ? 0 : positionOf(before + 1, reader);
        if (position < 0)
        {
            return -1;
        }

        final int limit = size;
        while (position < limit && readHeader(reader, position, limit))
        {
            final RecordBatch header = reader.header();
            final int totalSize = header.totalSize();
            if (header.maxTimestamp() >= timestamp)
            {
                if (!reader.readBatch(channel, position, totalSize))
                {
                    return -1;
                }
                final RecordBatchReader records = reader.recordReader().wrap(reader.batchBuffer(), 0);
                while (records.nextRecord())
                {
                    if (records.timestamp() >= timestamp)
                    {
                        return records.offset();
                    }
                }
            }
            position += totalSize;
        }

        return -1;
    }

    /**
     * Remove every batch from the one holding {@code offset} on; the segment becomes the active one.
     *
     * @return true if anything was removed.
     */
    boolean truncateTo(final long offset, final BatchHeaderReader reader, final RecordBatchValidator validator)
        throws IOException
    {
        final int position = positionOf(offset, reader);
        if (position < 0)
        {
            return false;
        }

        active = true;
        mappedLog = null;
        readHint = NO_READ_HINT;
        channel.truncate(position);
        offsetIndex.makeWritable();
        timeIndex.makeWritable();
        recover(reader, validator, false);

        return true;
    }

    /**
     * The segment stops being the active one: record its final largest timestamp and trim the indexes, so a
     * reopened log knows their entry counts from their lengths.
     */
    void onBecomeInactive() throws IOException
    {
        if (active)
        {
            timeIndex.maybeAppend(maxTimestamp, nextOffset - 1);
            offsetIndex.trimToEntries();
            timeIndex.trimToEntries();
            active = false;
        }
    }

    /**
     * Make a loaded segment the active one: grow the indexes back to their maximum.
     */
    void makeActive() throws IOException
    {
        if (!active)
        {
            active = true;
            mappedLog = null;
            offsetIndex.makeWritable();
            timeIndex.makeWritable();
        }
    }

    /**
     * Read a batch header for a look-up: from a read-only mapping of the log once the segment is inactive
     * (its bytes no longer change), which saves a system call per header; with a positional read while it is
     * active. A mapping is dropped before the file is ever truncated again, and never unmapped under a reader
     * (the garbage collector does it), as for the indexes.
     */
    private boolean readHeader(final BatchHeaderReader reader, final int position, final int limit)
        throws IOException
    {
        if (!active)
        {
            UnsafeBuffer map = mappedLog;
            if (null == map)
            {
                map = mapLog();
            }
            if (null != map && limit <= map.capacity())
            {
                return reader.wrapHeader(map, position, limit);
            }
        }

        return reader.readHeader(channel, position, limit);
    }

    private synchronized UnsafeBuffer mapLog() throws IOException
    {
        UnsafeBuffer map = mappedLog;
        final int length = size;
        if (null == map && !active && length > 0)
        {
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, length);
            map = new UnsafeBuffer(mapped);
            if (!active)
            {
                mappedLog = map;
            }
        }

        return map;
    }

    void flushLog() throws IOException
    {
        channel.force(false);
    }

    /**
     * Force the indexes of an inactive segment once: done before a recovery point beyond it is checkpointed,
     * since segments below the recovery point are not rebuilt on open.
     */
    void flushIndexesIfInactive()
    {
        if (!active && !indexesDurable)
        {
            offsetIndex.force();
            timeIndex.force();
            indexesDurable = true;
        }
    }

    void flushIndexes()
    {
        offsetIndex.force();
        timeIndex.force();
    }

    /**
     * Close the files and unmap everything: only when the whole log closes, so no reader can be using them.
     */
    public void close()
    {
        final UnsafeBuffer map = mappedLog;
        mappedLog = null;
        if (null != map && null != map.byteBuffer())
        {
            org.agrona.IoUtil.unmap(map.byteBuffer());
        }

        Throwable error = null;
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            error = ex;
        }
        offsetIndex.close();
        timeIndex.close();
        if (null != error)
        {
            throw new StorageException("failed to close " + logFile, error);
        }
    }

    /**
     * Close the log file and delete the segment's files. The indexes are released, not unmapped, since a
     * reader may still be looking one up (see {@link AbstractIndex}); such a reader then fails on the closed
     * log channel with an exception instead of crashing on unmapped memory.
     */
    void delete() throws IOException
    {
        channel.close();
        offsetIndex.deleteFile();
        timeIndex.deleteFile();
        Files.deleteIfExists(logFile.toPath());
    }

    private static void closeQuietly(
        final FileChannel channel, final OffsetIndex index, final TimeIndex timeIndex, final Throwable cause)
    {
        try
        {
            if (null != channel)
            {
                channel.close();
            }
        }
        catch (final IOException ex)
        {
            cause.addSuppressed(ex);
        }
        if (null != index)
        {
            index.close();
        }
        if (null != timeIndex)
        {
            timeIndex.close();
        }
    }

    private static void deleteQuietly(final File a, final File b, final File c, final Throwable cause)
    {
        for (final File f : new File[]{ a, b, c })
        {
            try
            {
                Files.deleteIfExists(f.toPath());
            }
            catch (final IOException ex)
            {
                cause.addSuppressed(ex);
            }
        }
    }

    public String toString()
    {
        return "LogSegment{baseOffset=" + baseOffset + ", nextOffset=" + nextOffset + ", size=" + size +
            ", active=" + active + '}';
    }
}
