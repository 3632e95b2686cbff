package io.swimlog.storage;

import io.swimlog.protocol.record.BatchError;
import io.swimlog.protocol.record.ByteBufferView;
import io.swimlog.protocol.record.RecordBatch;
import io.swimlog.protocol.record.RecordBatchValidator;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochClock;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The log of one partition: an ordered list of {@link LogSegment}s in one directory, the last of them active.
 * <p>
 * Invariants: segments' base offsets strictly increase and each segment starts where the one before ends, so
 * offsets in the log are contiguous from {@link #logStartOffset()} (or the first segment's base offset) to
 * {@link #logEndOffset()}; {@code durableOffset <= logEndOffset}; the checkpointed recovery point is at most
 * the durable offset, and every segment wholly below it has durable indexes.
 * <p>
 * Appending: {@link #append} validates the batch (length, CRC-32C, records), stamps its base offset and leader
 * epoch in place and writes its bytes unchanged; it returns the base offset. Making it durable is a separate
 * step, {@link #commit(long)}, so that a broker can append the batches of many producers and then force once
 * for all of them (pipelined group commit), and several threads appending concurrently share one force too:
 * whoever forces takes everything appended so far, the others find their offsets already durable.
 * <p>
 * Reading: {@link #read} gives a file region of whole batches ({@link LogReadResult}) for a zero-copy send.
 * <p>
 * Threading: appends, rolls, truncation, retention and close are serialised on this object's monitor (one
 * writer at a time). {@link #commit} and {@link #flush} serialise on a separate flush lock, so appends go on
 * while a force is in progress. Reads take no lock: they see a copy-on-write array of segments and volatile
 * sizes. Truncation and retention take both locks, so a force never sees a segment being deleted; a read that
 * races with them may fail with a {@link StorageException} caused by a closed channel. Lock order: this, then
 * the flush lock.
 * <p>
 * Errors: bad input throws {@link InvalidBatchException} or {@link OffsetOutOfRangeException}; I/O failures
 * (disk full) throw {@link StorageException} and leave the log as it was before the call, readable, and
 * appendable again once the cause is gone.
 */
public final class PartitionLog implements AutoCloseable
{
    private static final LogSegment[] NO_SEGMENTS = new LogSegment[0];

    private final LogContext ctx;
    private final File dir;
    private final EpochClock clock;
    private final FlushPolicy flushPolicy;
    private final Object flushLock = new Object();
    private final RecoveryPointCheckpoint recoveryPointCheckpoint;
    private final LogStartOffsetCheckpoint logStartOffsetCheckpoint;
    private final LeaderEpochCache leaderEpochCache;
    private final RecoveryReport recoveryReport = new RecoveryReport();

    private final RecordBatchValidator validator = new RecordBatchValidator();
    private final RecordBatch batch = new RecordBatch();
    private final BatchHeaderReader writerReader = new BatchHeaderReader();
    private final ByteBufferView view = new ByteBufferView();
    private ByteBuffer copyBuffer;

    private volatile LogSegment[] segments = NO_SEGMENTS;
    private LogSegment active;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long durableOffset;
    private volatile long forceCount;
    private long checkpointedRecoveryPoint;
    private long messagesSinceFlush;
    private volatile long lastFlushMs;
    private volatile boolean closed;

    private PartitionLog(final LogContext ctx) throws IOException
    {
        this.ctx = ctx;
        this.dir = ctx.directory();
        this.clock = ctx.epochClock();
        this.flushPolicy = ctx.flushPolicy();
        this.recoveryPointCheckpoint = new RecoveryPointCheckpoint(dir);
        this.logStartOffsetCheckpoint = new LogStartOffsetCheckpoint(dir);
        this.leaderEpochCache = new LeaderEpochCache(new LeaderEpochCheckpoint(dir));
    }

    /**
     * Open (creating if needed) the partition log in {@code ctx.directory()}, recovering it as
     * {@link LogLoader} describes; {@link #recoveryReport()} tells what recovery did.
     *
     * @param ctx settings; concluded here.
     * @return the open log.
     * @throws StorageException if the directory cannot be read or recovered.
     */
    public static PartitionLog open(final LogContext ctx)
    {
        ctx.conclude();
        final long startNs = System.nanoTime();
        PartitionLog log = null;
        try
        {
            log = new PartitionLog(ctx);
            log.load(startNs);
            return log;
        }
        catch (final IOException ex)
        {
            if (null != log)
            {
                log.closeSegmentsQuietly(ex);
            }
            throw new StorageException("cannot open partition log " + ctx.directory() + ": " + ex.getMessage(), ex);
        }
    }

    private void load(final long startNs) throws IOException
    {
        final long checkpointedRecoveryPoint = readCheckpoint(true);
        final long checkpointedLogStart = readCheckpoint(false);

        final LogLoader.Loaded loaded = new LogLoader(ctx, recoveryReport, writerReader, validator)
            .load(checkpointedRecoveryPoint, checkpointedLogStart);
        final List<LogSegment> list = loaded.segments();
        segments = list.toArray(NO_SEGMENTS);
        active = segments[segments.length - 1];
        logEndOffset = active.nextOffset();
        logStartOffset = loaded.logStartOffset();
        if (logStartOffset != checkpointedLogStart)
        {
            logStartOffsetCheckpoint.write(logStartOffset);
        }

        // What recovery kept is now the log: make it durable so the next open starts from here.
        for (final LogSegment segment : segments)
        {
            if (segment.nextOffset() > loaded.recoveryPoint() || segment == active)
            {
                segment.flushLog();
                segment.flushIndexes();
            }
        }
        CheckpointFile.forceDirectory(dir);
        durableOffset = logEndOffset;
        lastFlushMs = clock.time();
        writeRecoveryPoint();

        leaderEpochCache.truncateFromEnd(logEndOffset);
        leaderEpochCache.truncateFromStart(logStartOffset);
        recoveryReport.complete(
            checkpointedRecoveryPoint, logStartOffset, logEndOffset, segments.length, System.nanoTime() - startNs);
    }

    private long readCheckpoint(final boolean recoveryPoint) throws IOException
    {
        try
        {
            return recoveryPoint ? recoveryPointCheckpoint.read() : logStartOffsetCheckpoint.read();
        }
        catch (final IOException ex)
        {
            recoveryReport.add(RecoveryReport.Action.CHECKPOINT_IGNORED, -1, 0,
                "unreadable checkpoint ignored (" + ex.getMessage() + "); " +
                (recoveryPoint ? "recovering every segment" : "log start from the first segment"));
            return 0;
        }
    }

    /**
     * Append one batch: validate it, stamp its base offset (the log end offset) and {@code leaderEpoch} in the
     * caller's buffer, and write it. Durability is {@link #commit}'s job.
     *
     * @param buffer      holding exactly one batch, as built by a producer.
     * @param offset      of the batch in the buffer.
     * @param length      of the batch.
     * @param leaderEpoch of the leader appending, at least the latest epoch in the log.
     * @return the base offset assigned; the batch's last offset is that plus its last offset delta, and the
     * log end offset after it is what to pass to {@link #commit(long)}.
     * @throws InvalidBatchException if the batch is malformed; nothing was written.
     * @throws StorageException      if the write failed (e.g. disk full); the log is unchanged.
     */
    public synchronized long append(
        final MutableDirectBuffer buffer, final int offset, final int length, final int leaderEpoch)
    {
        ensureOpen();
        if (length > ctx.maxBatchBytes())
        {
            throw new InvalidBatchException(BatchError.BAD_LENGTH,
                "batch of " + length + " bytes exceeds the maximum of " + ctx.maxBatchBytes());
        }
        final BatchError error = validator.validate(buffer, offset, length);
        if (BatchError.OK != error)
        {
            throw new InvalidBatchException(error, "invalid batch: " + error.reason());
        }
        if (leaderEpoch < 0 || leaderEpoch < leaderEpochCache.latestEpoch())
        {
            throw new IllegalArgumentException("leader epoch " + leaderEpoch + " is below the latest epoch " +
                leaderEpochCache.latestEpoch() + " of " + dir);
        }

        batch.wrap(buffer, offset);
        final long baseOffset = logEndOffset;
        final long lastOffset = baseOffset + batch.lastOffsetDelta();
        final long maxTimestamp = batch.maxTimestamp();
        final int recordCount = batch.recordCount();
        final long nowMs = clock.time();

        LogSegment segment = active;
        if (segment.shouldRoll(length, lastOffset, maxTimestamp, ctx.segmentBytes(), ctx.segmentMs()))
        {
            segment = rollActive();
        }

        RecordBatch.stampBaseOffset(buffer, offset, baseOffset);
        RecordBatch.stampLeaderEpoch(buffer, offset, leaderEpoch);
        try
        {
            if (leaderEpoch > leaderEpochCache.latestEpoch())
            {
                leaderEpochCache.assign(leaderEpoch, baseOffset);
            }
            segment.append(source(buffer, offset, length), baseOffset, lastOffset, maxTimestamp);
        }
        catch (final IOException ex)
        {
            throw new StorageException("append at offset " + baseOffset + " to " + segment.logFile() + " failed (" +
                ex.getMessage() + "); the log is unchanged and ends at offset " + baseOffset, ex);
        }

        logEndOffset = lastOffset + 1;
        messagesSinceFlush += recordCount;
        if (FlushPolicy.INTERVAL == flushPolicy &&
            (messagesSinceFlush >= ctx.flushIntervalMessages() || nowMs - lastFlushMs >= ctx.flushIntervalMs()))
        {
            flushTo(logEndOffset);
        }

        return baseOffset;
    }

    /**
     * Append several batches that lie back to back in one buffer (a produce request's batches for this
     * partition, or what a follower fetched) with a single write: each is validated and stamped as
     * {@link #append} does, then all go to the segment in one system call, which is what lets a log keep up with
     * the device on small batches.
     *
     * @param buffer      holding the batches, back to back.
     * @param offset      of the first batch.
     * @param length      of all of them.
     * @param leaderEpoch of the leader appending.
     * @return the base offset assigned to the first batch; the log end offset after the call follows the last.
     * @throws InvalidBatchException if any batch is malformed; nothing was written.
     * @throws StorageException      if the write failed; the log is unchanged.
     */
    public synchronized long appendBatches(
        final MutableDirectBuffer buffer, final int offset, final int length, final int leaderEpoch)
    {
        ensureOpen();
        if (length > ctx.segmentBytes())
        {
            long first = -1;
            int position = offset;
            while (position < offset + length)
            {
                final int size = checkedBatchSize(buffer, position, offset + length - position);
                final long base = append(buffer, position, size, leaderEpoch);
                first = -1 == first ? base : first;
                position += size;
            }
            return first;
        }

        long records = 0;
        long maxTimestamp = Long.MIN_VALUE;
        int position = offset;
        final int end = offset + length;
        while (position < end)
        {
            final int size = checkedBatchSize(buffer, position, end - position);
            final BatchError error = validator.validate(buffer, position, size);
            if (BatchError.OK != error)
            {
                throw new InvalidBatchException(error, "invalid batch at byte " + (position - offset) + ": " +
                    error.reason());
            }
            batch.wrap(buffer, position);
            records += batch.recordCount();
            maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
            position += size;
        }
        if (0 == records)
        {
            throw new InvalidBatchException(BatchError.TRUNCATED_HEADER, "no batch given");
        }
        if (leaderEpoch < 0 || leaderEpoch < leaderEpochCache.latestEpoch())
        {
            throw new IllegalArgumentException("leader epoch " + leaderEpoch + " is below the latest epoch " +
                leaderEpochCache.latestEpoch() + " of " + dir);
        }

        final long baseOffset = logEndOffset;
        final long lastOffset = baseOffset + records - 1;
        final long nowMs = clock.time();
        LogSegment segment = active;
        if (segment.shouldRoll(length, lastOffset, maxTimestamp, ctx.segmentBytes(), ctx.segmentMs()))
        {
            segment = rollActive();
        }

        long next = baseOffset;
        for (position = offset; position < end; position += batch.totalSize())
        {
            batch.wrap(buffer, position);
            RecordBatch.stampBaseOffset(buffer, position, next);
            RecordBatch.stampLeaderEpoch(buffer, position, leaderEpoch);
            next += batch.recordCount();
        }

        try
        {
            if (leaderEpoch > leaderEpochCache.latestEpoch())
            {
                leaderEpochCache.assign(leaderEpoch, baseOffset);
            }
            segment.appendBatches(source(buffer, offset, length), buffer, offset, length, batch);
        }
        catch (final IOException ex)
        {
            throw new StorageException("append at offset " + baseOffset + " to " + segment.logFile() + " failed (" +
                ex.getMessage() + "); the log is unchanged and ends at offset " + baseOffset, ex);
        }

        logEndOffset = lastOffset + 1;
        messagesSinceFlush += records;
        if (FlushPolicy.INTERVAL == flushPolicy &&
            (messagesSinceFlush >= ctx.flushIntervalMessages() || nowMs - lastFlushMs >= ctx.flushIntervalMs()))
        {
            flushTo(logEndOffset);
        }

        return baseOffset;
    }

    private int checkedBatchSize(final MutableDirectBuffer buffer, final int position, final int remaining)
    {
        if (remaining < RecordBatch.HEADER_LENGTH)
        {
            throw new InvalidBatchException(BatchError.TRUNCATED_HEADER,
                "invalid batch: " + BatchError.TRUNCATED_HEADER.reason());
        }
        final int size = RecordBatch.totalSize(buffer, position);
        if (size < RecordBatch.HEADER_LENGTH || size > remaining || size > ctx.maxBatchBytes())
        {
            throw new InvalidBatchException(BatchError.BAD_LENGTH, "invalid batch: " + BatchError.BAD_LENGTH.reason() +
                " (" + size + " bytes, " + remaining + " given, maximum " + ctx.maxBatchBytes() + ")");
        }

        return size;
    }

    private ByteBuffer source(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final ByteBuffer byteBuffer = view.view(buffer, offset, length);
        if (null != byteBuffer)
        {
            return byteBuffer;
        }

        if (null == copyBuffer || copyBuffer.capacity() < length)
        {
            copyBuffer = ByteBuffer.allocateDirect(Math.max(length, 64 * 1024));
        }
        copyBuffer.clear();
        buffer.getBytes(offset, copyBuffer, length);
        copyBuffer.flip();

        return copyBuffer;
    }

    /**
     * Make the log durable up to {@code endOffset} as the flush policy asks, before acknowledging appends:
     * {@link FlushPolicy#ALWAYS} forces (one force covers everything appended so far, by any thread);
     * {@link FlushPolicy#INTERVAL} forces if the interval has passed; {@link FlushPolicy#NEVER} does nothing.
     *
     * @param endOffset the log end offset after the caller's last append (base offset + record count).
     * @throws StorageException if the force failed; the offsets are then not durable.
     */
    public void commit(final long endOffset)
    {
        switch (flushPolicy)
        {
            case ALWAYS:
                flushTo(endOffset);
                break;

            case INTERVAL:
                if (clock.time() - lastFlushMs >= ctx.flushIntervalMs())
                {
                    flushTo(endOffset);
                }
                break;

            default:
                break;
        }
    }

    /**
     * Force everything appended so far, whatever the policy, and checkpoint the recovery point.
     */
    public synchronized void flush()
    {
        ensureOpen();
        flushTo(logEndOffset);
        writeRecoveryPointOrThrow();
    }

    private void flushTo(final long endOffset)
    {
        if (durableOffset >= endOffset)
        {
            return;
        }

        synchronized (flushLock)
        {
            if (durableOffset >= endOffset)
            {
                return;
            }
            ensureOpen();

            final long end = logEndOffset;
            final long durable = durableOffset;
            final LogSegment[] segments = this.segments;
            try
            {
                for (final LogSegment segment : segments)
                {
                    if (segment.nextOffset() > durable && segment.baseOffset() < end)
                    {
                        segment.flushLog();
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new StorageException("flush of " + dir + " to offset " + end + " failed: " + ex.getMessage(), ex);
            }

            forceCount = forceCount + 1;
            lastFlushMs = clock.time();
            messagesSinceFlush = 0;
            durableOffset = end;
        }
    }

    /**
     * Read whole batches from {@code offset}: the batch holding it and those after it in the same segment, up
     * to {@code maxBytes} (but always at least that first batch, so a reader can make progress).
     *
     * @param offset   to read from, between the log start and end offsets.
     * @param maxBytes most bytes wanted.
     * @param result   filled with the region; reused by the caller.
     * @return false if {@code offset} is the log end offset (nothing to read yet).
     * @throws OffsetOutOfRangeException outside [log start, log end].
     */
    public boolean read(final long offset, final int maxBytes, final LogReadResult result)
    {
        final long start = logStartOffset;
        final long end = logEndOffset;
        if (offset < start || offset > end)
        {
            throw new OffsetOutOfRangeException(offset, start, end);
        }
        if (offset == end)
        {
            result.clear(offset);
            return false;
        }

        final LogSegment[] segments = this.segments;
        final BatchHeaderReader reader = result.reader();
        try
        {
            for (int i = floorSegment(segments, offset); i < segments.length; i++)
            {
                final LogSegment segment = segments[i];
                final int position = segment.positionOf(offset, reader);
                if (position >= 0)
                {
                    final RecordBatch header = reader.header();
                    final long firstOffset = header.baseOffset();
                    final int endPosition = segment.readEnd(position, header.totalSize(), maxBytes, reader);
                    result.set(segment.channel(), position, endPosition - position, firstOffset,
                        reader.regionNextOffset());
                    return true;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new StorageException("read of " + dir + " at offset " + offset + " failed: " + ex.getMessage(), ex);
        }

        result.clear(offset);
        return false;
    }

    /**
     * @param offset to locate.
     * @param result scratch of the calling thread.
     * @return position in its segment file of the batch holding {@code offset}, or -1 at the log end.
     */
    public long positionOf(final long offset, final LogReadResult result)
    {
        final long start = logStartOffset;
        final long end = logEndOffset;
        if (offset < start || offset > end)
        {
            throw new OffsetOutOfRangeException(offset, start, end);
        }

        final LogSegment[] segments = this.segments;
        try
        {
            final int i = floorSegment(segments, offset);
            return segments[i].positionOf(offset, result.reader());
        }
        catch (final IOException ex)
        {
            throw new StorageException("look-up of offset " + offset + " in " + dir + " failed", ex);
        }
    }

    /**
     * Kafka's ListOffsets by time.
     *
     * @param timestamp ms since epoch.
     * @param result    scratch of the calling thread.
     * @return the first offset whose record has a timestamp at or after {@code timestamp}, or -1 if none.
     */
    public long offsetForTimestamp(final long timestamp, final LogReadResult result)
    {
        final LogSegment[] segments = this.segments;
        final long start = logStartOffset;
        try
        {
            for (final LogSegment segment : segments)
            {
                if (segment.nextOffset() > start && segment.maxTimestamp() >= timestamp)
                {
                    final long offset = segment.offsetForTimestamp(timestamp, result.reader());
                    if (offset >= 0)
                    {
                        return Math.max(offset, start);
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new StorageException("time look-up in " + dir + " failed: " + ex.getMessage(), ex);
        }

        return -1;
    }

    /**
     * Remove every batch from the one holding {@code offset} on (KIP-101: a follower truncating to the
     * leader's epoch end). The log end offset becomes the start of that batch, at most {@code offset}.
     *
     * @param offset first offset to remove.
     * @return the new log end offset.
     */
    public synchronized long truncateTo(final long offset)
    {
        ensureOpen();
        if (offset < 0)
        {
            throw new IllegalArgumentException("cannot truncate to a negative offset: " + offset);
        }
        if (offset >= logEndOffset)
        {
            return logEndOffset;
        }

        synchronized (flushLock)
        {
            try
            {
                if (offset <= logStartOffset || offset <= segments[0].baseOffset())
                {
                    truncateFullyAndStartAt(offset);
                }
                else
                {
                    final LogSegment[] current = segments;
                    final int keep = floorSegment(current, offset);
                    for (int i = current.length - 1; i > keep; i--)
                    {
                        current[i].delete();
                    }
                    final LogSegment segment = current[keep];
                    segment.truncateTo(offset, writerReader, validator);
                    segments = Arrays.copyOf(current, keep + 1);
                    active = segment;
                    logEndOffset = segment.nextOffset();
                }

                if (durableOffset > logEndOffset)
                {
                    durableOffset = logEndOffset;
                }
                leaderEpochCache.truncateFromEnd(logEndOffset);
                writeRecoveryPoint();
            }
            catch (final IOException ex)
            {
                throw new StorageException("truncation of " + dir + " to offset " + offset + " failed: " +
                    ex.getMessage(), ex);
            }
        }

        return logEndOffset;
    }

    private void truncateFullyAndStartAt(final long offset) throws IOException
    {
        final LogSegment[] current = segments;
        for (int i = current.length - 1; i >= 0; i--)
        {
            current[i].delete();
        }
        segments = NO_SEGMENTS;
        final LogSegment segment = LogSegment.create(dir, offset, ctx);
        segments = new LogSegment[]{ segment };
        active = segment;
        logEndOffset = offset;
        logStartOffset = offset;
        logStartOffsetCheckpoint.write(offset);
        leaderEpochCache.truncateFromStart(offset);
        CheckpointFile.forceDirectory(dir);
    }

    /**
     * Roll to a new segment now (if the active one holds anything), as an operator or a test may ask.
     */
    public synchronized void roll()
    {
        ensureOpen();
        if (!active.isEmpty())
        {
            rollActive();
        }
    }

    private LogSegment rollActive()
    {
        final LogSegment old = active;
        final LogSegment next;
        try
        {
            next = LogSegment.create(dir, logEndOffset, ctx);
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot roll a new segment at offset " + logEndOffset + " in " + dir + " (" +
                ex.getMessage() + "); the log is unchanged", ex);
        }

        try
        {
            old.onBecomeInactive();
            CheckpointFile.forceDirectory(dir);
        }
        catch (final IOException ex)
        {
            try
            {
                next.delete();
            }
            catch (final IOException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            throw new StorageException("cannot roll " + dir + " at offset " + logEndOffset + ": " + ex.getMessage(), ex);
        }

        final LogSegment[] current = segments;
        final LogSegment[] grown = Arrays.copyOf(current, current.length + 1);
        grown[current.length] = next;
        segments = grown;
        active = next;

        if (durableOffset > checkpointedRecoveryPoint)
        {
            writeRecoveryPointOrThrow();
        }

        return next;
    }

    /**
     * Apply retention: delete the oldest whole segments (never the active one) whose newest record is older
     * than the retention time, and those the log can lose while staying at or above the retention size. The
     * log start offset moves to the first remaining segment and is checkpointed before any file is deleted.
     *
     * @return number of segments deleted.
     */
    public synchronized int deleteOldSegments()
    {
        ensureOpen();
        final long nowMs = clock.time();
        final long retentionMs = ctx.retentionMs();
        final long retentionBytes = ctx.retentionBytes();
        final LogSegment[] current = segments;
        long size = sizeInBytes();
        int deletable = 0;
        for (int i = 0; i < current.length - 1; i++)
        {
            final LogSegment segment = current[i];
            final boolean expired = retentionMs >= 0 && LogSegment.NO_TIMESTAMP != segment.maxTimestamp() &&
                nowMs - segment.maxTimestamp() > retentionMs;
            final boolean overSize = retentionBytes >= 0 && size - segment.size() >= retentionBytes;
            if (!expired && !overSize)
            {
                break;
            }
            size -= segment.size();
            deletable++;
        }

        if (0 == deletable)
        {
            return 0;
        }

        final long newStart = current[deletable].baseOffset();
        synchronized (flushLock)
        {
            try
            {
                if (newStart > logStartOffset)
                {
                    logStartOffsetCheckpoint.write(newStart);
                    logStartOffset = newStart;
                    leaderEpochCache.truncateFromStart(newStart);
                }
                segments = Arrays.copyOfRange(current, deletable, current.length);
                for (int i = 0; i < deletable; i++)
                {
                    current[i].delete();
                }
            }
            catch (final IOException ex)
            {
                throw new StorageException("retention in " + dir + " failed: " + ex.getMessage(), ex);
            }
        }

        return deletable;
    }

    /**
     * Write the recovery point checkpoint now (a broker does this periodically, as Kafka does every minute):
     * forces the indexes of inactive segments below the durable offset, then writes it.
     */
    public synchronized void checkpointRecoveryPoint()
    {
        ensureOpen();
        writeRecoveryPointOrThrow();
    }

    private void writeRecoveryPointOrThrow()
    {
        try
        {
            writeRecoveryPoint();
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot checkpoint the recovery point of " + dir + ": " + ex.getMessage(), ex);
        }
    }

    private void writeRecoveryPoint() throws IOException
    {
        final long recoveryPoint = durableOffset;
        for (final LogSegment segment : segments)
        {
            if (segment.nextOffset() <= recoveryPoint)
            {
                segment.flushIndexesIfInactive();
            }
        }
        recoveryPointCheckpoint.write(recoveryPoint);
        checkpointedRecoveryPoint = recoveryPoint;
    }

    /**
     * Flush, trim the active segment's indexes and checkpoint the recovery point at the log end, so that the
     * next open scans nothing; then close every file.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }

        StorageException error = null;
        try
        {
            flushTo(logEndOffset);
            synchronized (flushLock)
            {
                active.onBecomeInactive();
                writeRecoveryPoint();
                closed = true;
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            error = new StorageException("closing " + dir + " did not complete cleanly: " + ex.getMessage(), ex);
        }
        finally
        {
            closed = true;
            closeSegmentsQuietly(error);
        }

        if (null != error)
        {
            throw error;
        }
    }

    private void closeSegmentsQuietly(final Throwable cause)
    {
        for (final LogSegment segment : segments)
        {
            try
            {
                segment.close();
            }
            catch (final RuntimeException ex)
            {
                if (null != cause)
                {
                    cause.addSuppressed(ex);
                }
            }
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new StorageException("partition log " + dir + " is closed");
        }
    }

    private static int floorSegment(final LogSegment[] segments, final long offset)
    {
        int lo = 0;
        int hi = segments.length - 1;
        while (lo < hi)
        {
            final int mid = (lo + hi + 1) >>> 1;
            if (segments[mid].baseOffset() <= offset)
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
     * @return the first offset a reader may ask for.
     */
    public long logStartOffset()
    {
        return logStartOffset;
    }

    /**
     * @return base offset of the segment appends go to; changes when the log rolls.
     */
    public long activeSegmentBaseOffset()
    {
        return active.baseOffset();
    }

    /**
     * @return the offset the next appended batch will get.
     */
    public long logEndOffset()
    {
        return logEndOffset;
    }

    /**
     * @return every offset below this is forced to the device.
     */
    public long durableOffset()
    {
        return durableOffset;
    }

    /**
     * @return how many forces (fsyncs of the log data) the log has done: group commit keeps it below the
     * number of commits.
     */
    public long forceCount()
    {
        return forceCount;
    }

    public int segmentCount()
    {
        return segments.length;
    }

    /**
     * @return base offsets of the segments, oldest first.
     */
    public long[] segmentBaseOffsets()
    {
        final LogSegment[] current = segments;
        final long[] result = new long[current.length];
        for (int i = 0; i < current.length; i++)
        {
            result[i] = current[i].baseOffset();
        }

        return result;
    }

    /**
     * @return bytes of all segments' logs.
     */
    public long sizeInBytes()
    {
        long size = 0;
        for (final LogSegment segment : segments)
        {
            size += segment.size();
        }

        return size;
    }

    /**
     * @return the leader epoch history kept with the partition.
     */
    public LeaderEpochCache leaderEpochCache()
    {
        return leaderEpochCache;
    }

    /**
     * @return what opening the log found and did.
     */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }

    public File directory()
    {
        return dir;
    }

    public LogContext context()
    {
        return ctx;
    }

    public String toString()
    {
        return "PartitionLog{" + dir + ", start=" + logStartOffset + ", end=" + logEndOffset + ", durable=" +
            durableOffset + ", segments=" + segments.length + '}';
    }
}
