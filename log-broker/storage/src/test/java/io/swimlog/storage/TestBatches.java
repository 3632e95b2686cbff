package io.swimlog.storage;

import io.swimlog.protocol.record.RecordBatch;
import io.swimlog.protocol.record.RecordBatchBuilder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic batches for storage tests: batch n of a seed is always the same bytes (before stamping), so a
 * test, or a child process, can regenerate what was appended and compare.
 */
final class TestBatches
{
    private TestBatches()
    {
    }

    /**
     * @return a batch of {@code records} records with values of {@code valueSize} bytes, all with timestamp
     * {@code timestamp}, in a buffer of exactly its size.
     */
    static UnsafeBuffer batch(final int records, final int valueSize, final long timestamp, final long seed)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(64 + records * (valueSize + 32)));
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(scratch, 0, scratch.capacity());
        final Random random = new Random(seed);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[valueSize]);
        for (int i = 0; i < records; i++)
        {
            random.nextBytes(value.byteArray());
            builder.tryAppend(timestamp + i, null, 0, 0, value, 0, valueSize);
        }
        final int length = builder.build();
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[length]);
        batch.putBytes(0, scratch, 0, length);
        return batch;
    }

    /**
     * Batch {@code n} of a pseudo-random sequence: 1 to 20 records of 0 to 199 bytes.
     */
    static UnsafeBuffer sequenceBatch(final long seed, final int n)
    {
        final Random random = new Random(seed * 1_000_003L + n);
        return batch(1 + random.nextInt(20), random.nextInt(200), 1_000_000L + n * 10L, random.nextLong());
    }

    /**
     * @return a copy of {@code batch} with base offset and leader epoch stamped as the log would.
     */
    static byte[] stamped(final UnsafeBuffer batch, final long baseOffset, final int leaderEpoch)
    {
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[batch.capacity()]);
        copy.putBytes(0, batch, 0, batch.capacity());
        RecordBatch.stampBaseOffset(copy, 0, baseOffset);
        RecordBatch.stampLeaderEpoch(copy, 0, leaderEpoch);
        return copy.byteArray();
    }

    /**
     * @return the batches back to back in one buffer, as {@code PartitionLog.appendBatches} takes them.
     */
    static UnsafeBuffer concat(final List<UnsafeBuffer> batches)
    {
        int total = 0;
        for (final UnsafeBuffer b : batches)
        {
            total += b.capacity();
        }
        final UnsafeBuffer region = new UnsafeBuffer(new byte[total]);
        int position = 0;
        for (final UnsafeBuffer b : batches)
        {
            region.putBytes(position, b, 0, b.capacity());
            position += b.capacity();
        }
        return region;
    }

    static int recordCount(final UnsafeBuffer batch)
    {
        return new RecordBatch().wrap(batch, 0).recordCount();
    }

    /**
     * Read every batch of the log, from its start offset, as byte arrays.
     */
    static List<byte[]> readAll(final PartitionLog log) throws IOException
    {
        final List<byte[]> batches = new ArrayList<>();
        final LogReadResult result = new LogReadResult();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset() && log.read(offset, 1024 * 1024, result))
        {
            final ByteBuffer bytes = ByteBuffer.allocate(result.length());
            result.readInto(bytes);
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes.array());
            int position = 0;
            while (position < result.length())
            {
                final int size = RecordBatch.totalSize(buffer, position);
                final byte[] one = new byte[size];
                buffer.getBytes(position, one);
                batches.add(one);
                position += size;
            }
            offset = result.nextOffset();
        }
        return batches;
    }
}
