package io.swimlog.storage;

import io.swimlog.protocol.record.RecordBatch;
import io.swimlog.protocol.record.RecordBatchReader;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads batch headers, and whole batches when asked, from a log file with positional reads into direct
 * buffers it owns: no allocation once the batch buffer has grown to the largest batch seen.
 * <p>
 * Not thread safe: each reading thread has its own (inside its {@link LogReadResult}); the log's writer has one.
 */
public final class BatchHeaderReader
{
    private final ByteBuffer headerByteBuffer = BufferUtil.allocateDirectAligned(
        align(RecordBatch.HEADER_LENGTH), 64);
    private final UnsafeBuffer headerBuffer = new UnsafeBuffer(headerByteBuffer);
    private final RecordBatch header = new RecordBatch();
    private final RecordBatchReader recordReader = new RecordBatchReader();
    private ByteBuffer batchByteBuffer;
    private final UnsafeBuffer batchBuffer = new UnsafeBuffer(0, 0);
    private long headerReads;

    public BatchHeaderReader()
    {
        header.wrap(headerBuffer, 0);
    }

    private static int align(final int length)
    {
        return (length + 63) & ~63;
    }

    /**
     * Read the header of the batch at {@code position}.
     *
     * @param channel  of the log file.
     * @param position of the batch.
     * @param limit    end of the readable bytes of the file.
     * @return false if fewer than a header's bytes remain before {@code limit}.
     * @throws IOException from the channel.
     */
    boolean readHeader(final FileChannel channel, final long position, final long limit) throws IOException
    {
        if (limit - position < RecordBatch.HEADER_LENGTH)
        {
            return false;
        }

        final ByteBuffer bb = headerByteBuffer;
        bb.clear().limit(RecordBatch.HEADER_LENGTH);
        header.wrap(headerBuffer, 0);
        headerReads++;
        return readFully(channel, bb, position);
    }

    /**
     * @return headers read from a file so far (each one a positional read), for tests of the look-up paths.
     */
    long headerReads()
    {
        return headerReads;
    }

    /**
     * Point the header at a batch in a mapped log instead of reading it.
     *
     * @param map      mapping of the log file.
     * @param position of the batch.
     * @param limit    end of the readable bytes.
     * @return false if fewer than a header's bytes remain before {@code limit}.
     */
    boolean wrapHeader(final UnsafeBuffer map, final int position, final int limit)
    {
        if (limit - position < RecordBatch.HEADER_LENGTH)
        {
            return false;
        }

        header.wrap(map, position);
        return true;
    }

    /**
     * @return the header last read; valid until the next read.
     */
    RecordBatch header()
    {
        return header;
    }

    /**
     * Read {@code length} bytes at {@code position} into the batch buffer, growing it if needed.
     *
     * @return false if the file ended first.
     */
    boolean readBatch(final FileChannel channel, final long position, final int length) throws IOException
    {
        if (null == batchByteBuffer || batchByteBuffer.capacity() < length)
        {
            final int capacity = Math.max(align(length), 64 * 1024);
            batchByteBuffer = BufferUtil.allocateDirectAligned(Integer.highestOneBit(capacity - 1) << 1, 64);
            batchBuffer.wrap(batchByteBuffer);
        }

        final ByteBuffer bb = batchByteBuffer;
        bb.clear().limit(length);
        return readFully(channel, bb, position);
    }

    /**
     * @return the buffer {@link #readBatch} filled, batch at index 0.
     */
    UnsafeBuffer batchBuffer()
    {
        return batchBuffer;
    }

    private static boolean readFully(final FileChannel channel, final ByteBuffer bb, final long position)
        throws IOException
    {
        long p = position;
        while (bb.hasRemaining())
        {
            final int n = channel.read(bb, p);
            if (n < 0)
            {
                return false;
            }
            p += n;
        }

        return true;
    }

    /**
     * @return a record reader for walking the batch buffer.
     */
    RecordBatchReader recordReader()
    {
        return recordReader;
    }

    private long regionNextOffset;

    void regionNextOffset(final long offset)
    {
        regionNextOffset = offset;
    }

    /**
     * @return the offset after the last batch of the region {@link LogSegment#readEnd} last computed.
     */
    long regionNextOffset()
    {
        return regionNextOffset;
    }
}
