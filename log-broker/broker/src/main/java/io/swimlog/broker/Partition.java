package io.swimlog.broker;

import io.swimlog.protocol.record.RecordBatch;
import io.swimlog.storage.FlushPolicy;
import io.swimlog.storage.LogContext;
import io.swimlog.storage.LogReadResult;
import io.swimlog.storage.PartitionLog;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * One partition led by this broker: its {@link PartitionLog} and the idempotent-producer state rebuilt from it.
 * <p>
 * On open, the producer state is rebuilt so that a producer retrying after a broker crash gets its duplicates
 * recognised: from the newest {@link ProducerStateSnapshot} within the recovered log, then by reading the batches
 * after it. A snapshot is written whenever the log rolls to a new segment and on a clean close, so an open reads at
 * most about one segment (the whole log only when no snapshot is usable).
 * <p>
 * Not thread safe: owned by the broker conductor.
 */
final class Partition implements AutoCloseable
{
    /**
     * Leader epoch stamped on appended batches: one broker leads every partition forever until replication comes.
     */
    static final int LEADER_EPOCH = 0;

    private final String topic;
    private final int index;
    private final PartitionLog log;
    private final ProducerStateTable producers = new ProducerStateTable();
    private long snapshotSegmentBaseOffset;
    private long rebuildStartOffset;
    private long rebuildBatches;
    private long committedEndOffset;
    private boolean dirty;
    private boolean commitFailed;
    private boolean deleted;

    Partition(final String topic, final int index, final File dir, final BrokerContext ctx)
    {
        this.topic = topic;
        this.index = index;
        final LogContext logContext = new LogContext()
            .directory(dir)
            .flushPolicy(ctx.flushPolicy())
            .segmentBytes(ctx.segmentBytes())
            .maxBatchBytes(ctx.maxBatchBytes())
            .epochClock(ctx.epochClock());
        if (null != ctx.retentionBytes())
        {
            logContext.retentionBytes(ctx.retentionBytes());
        }
        if (null != ctx.retentionMs())
        {
            logContext.retentionMs(ctx.retentionMs());
        }
        this.log = PartitionLog.open(logContext);
        try
        {
            rebuildProducerState();
        }
        catch (final RuntimeException ex)
        {
            log.close();
            throw ex;
        }
        committedEndOffset = log.logEndOffset();
        snapshotSegmentBaseOffset = log.activeSegmentBaseOffset();
    }

    private void rebuildProducerState()
    {
        final long snapshotOffset;
        try
        {
            snapshotOffset = ProducerStateSnapshot.load(log.directory(), log.logEndOffset(), producers);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the producer snapshots of " + log.directory(), ex);
        }
        rebuildStartOffset = Math.max(snapshotOffset, log.logStartOffset());
        final LogReadResult result = new LogReadResult();
        final ByteBuffer byteBuffer = BufferUtil.allocateDirectAligned(1024 * 1024 + 4096, 64);
        final UnsafeBuffer buffer = new UnsafeBuffer(byteBuffer);
        final RecordBatch batch = new RecordBatch();
        long offset = rebuildStartOffset;
        while (offset < log.logEndOffset())
        {
            if (!log.read(offset, byteBuffer.capacity(), result))
            {
                break;
            }
            byteBuffer.clear();
            final int length;
            try
            {
                length = result.readInto(byteBuffer);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read " + log.directory() + " at offset " + offset, ex);
            }
            int position = 0;
            while (position + RecordBatch.LOG_OVERHEAD <= length &&
                position + RecordBatch.totalSize(buffer, position) <= length)
            {
                batch.wrap(buffer, position);
                if (RecordBatch.NO_PRODUCER_ID != batch.producerId())
                {
                    producers.update(batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                        ProducerStateTable.increment(batch.baseSequence(), batch.recordCount() - 1),
                        batch.baseOffset());
                }
                rebuildBatches++;
                position += batch.totalSize();
            }
            if (result.nextOffset() <= offset)
            {
                break;
            }
            offset = result.nextOffset();
        }
    }

    String topic()
    {
        return topic;
    }

    int index()
    {
        return index;
    }

    PartitionLog log()
    {
        return log;
    }

    ProducerStateTable producers()
    {
        return producers;
    }

    /**
     * @return the offset the last open started reading batches from to rebuild the producer state.
     */
    long rebuildStartOffset()
    {
        return rebuildStartOffset;
    }

    /**
     * @return batches the last open read to rebuild the producer state.
     */
    long rebuildBatches()
    {
        return rebuildBatches;
    }

    /**
     * Snapshot the producer state if the log rolled since the last snapshot, so a later open reads at most the
     * active segment. Called after appends, on the conductor.
     */
    void snapshotIfRolled() throws IOException
    {
        final long activeBase = log.activeSegmentBaseOffset();
        if (activeBase != snapshotSegmentBaseOffset)
        {
            snapshotSegmentBaseOffset = activeBase;
            ProducerStateSnapshot.write(log.directory(), log.logEndOffset(), producers);
        }
    }

    /**
     * Make everything appended so far durable as the flush policy asks (one force for a whole duty cycle's
     * appends: group commit).
     */
    void commit()
    {
        final long end = log.logEndOffset();
        if (FlushPolicy.NEVER != log.context().flushPolicy() && committedEndOffset < end)
        {
            log.commit(end);
        }
        committedEndOffset = end;
    }

    boolean isDirty()
    {
        return dirty;
    }

    void markDirty()
    {
        dirty = true;
    }

    void clearDirty()
    {
        dirty = false;
    }

    boolean commitFailed()
    {
        return commitFailed;
    }

    void commitFailed(final boolean commitFailed)
    {
        this.commitFailed = commitFailed;
    }

    boolean isDeleted()
    {
        return deleted;
    }

    void markDeleted()
    {
        deleted = true;
    }

    /**
     * Closes the log, snapshotting the producer state first unless the partition was deleted.
     */
    public void close()
    {
        try
        {
            if (!deleted && log.directory().isDirectory())
            {
                ProducerStateSnapshot.write(log.directory(), log.logEndOffset(), producers);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot snapshot the producer state of " + this, ex);
        }
        finally
        {
            log.close();
        }
    }

    public String toString()
    {
        return topic + "-" + index;
    }
}
