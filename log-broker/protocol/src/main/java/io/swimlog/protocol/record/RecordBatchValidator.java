package io.swimlog.protocol.record;

import org.agrona.DirectBuffer;

/**
 * Checks that bytes are one sound batch before a broker appends them or a recovering log keeps them: header
 * bounds and length, format version, CRC-32C, and then every record's framing, offset delta, the record count
 * and the max timestamp. The first failure is returned as a {@link BatchError}; nothing is thrown and nothing
 * is allocated, so a recovery scan over a corrupt tail costs no exceptions.
 * <p>
 * Not thread safe: one instance per thread.
 */
public final class RecordBatchValidator
{
    private final Crc32cChecksum checksum = new Crc32cChecksum();
    private final RecordBatch batch = new RecordBatch();
    private final RecordCursor cursor = new RecordCursor();

    /**
     * Validate exactly one batch that must fill {@code length} bytes.
     *
     * @param buffer holding the batch.
     * @param offset of the batch.
     * @param length bytes given for it.
     * @return {@link BatchError#OK} or the first problem found.
     */
    public BatchError validate(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length >= RecordBatch.LOG_OVERHEAD && RecordBatch.totalSize(buffer, offset) != length)
        {
            return length < RecordBatch.HEADER_LENGTH ? BatchError.TRUNCATED_HEADER : BatchError.LENGTH_MISMATCH;
        }

        return validatePrefix(buffer, offset, length);
    }

    /**
     * Validate the batch that starts at {@code offset}, where {@code available} bytes may hold it and more after.
     *
     * @param buffer    holding the batch.
     * @param offset    of the batch.
     * @param available bytes from offset that may be read.
     * @return {@link BatchError#OK} or the first problem found.
     */
    public BatchError validatePrefix(final DirectBuffer buffer, final int offset, final int available)
    {
        if (available < RecordBatch.HEADER_LENGTH)
        {
            return BatchError.TRUNCATED_HEADER;
        }

        batch.wrap(buffer, offset);
        final int batchLength = batch.batchLength();
        if (batchLength < RecordBatch.HEADER_LENGTH - RecordBatch.LOG_OVERHEAD ||
            batchLength > available - RecordBatch.LOG_OVERHEAD)
        {
            return BatchError.BAD_LENGTH;
        }

        if (RecordBatch.MAGIC != batch.magic())
        {
            return BatchError.UNSUPPORTED_MAGIC;
        }

        final int totalSize = batch.totalSize();
        final int crc = checksum.compute(
            buffer, offset + RecordBatch.CRC_COVERED_OFFSET, totalSize - RecordBatch.CRC_COVERED_OFFSET);
        if (crc != batch.crc())
        {
            return BatchError.BAD_CRC;
        }

        if (0 != batch.attributes())
        {
            return BatchError.UNSUPPORTED_ATTRIBUTES;
        }

        final int recordCount = batch.recordCount();
        if (recordCount < 1 || batch.lastOffsetDelta() != recordCount - 1)
        {
            return BatchError.BAD_RECORD_COUNT;
        }

        return validateRecords(buffer, offset, totalSize, recordCount);
    }

    private BatchError validateRecords(
        final DirectBuffer buffer, final int offset, final int totalSize, final int recordCount)
    {
        final RecordCursor cursor = this.cursor;
        cursor.wrap(buffer, offset + RecordBatch.HEADER_LENGTH, offset + totalSize);
        final long firstTimestamp = batch.firstTimestamp();
        long maxTimestamp = Long.MIN_VALUE;
        int count = 0;

        while (cursor.hasRemaining())
        {
            final int length = cursor.readVarint();
            if (cursor.isMalformed() || length < 1 || length > cursor.limit() - cursor.position())
            {
                return BatchError.MALFORMED_RECORD;
            }
            final int recordEnd = cursor.position() + length;
            final int batchLimit = cursor.limit();
            cursor.wrap(buffer, cursor.position(), recordEnd);

            cursor.readByte();
            final long timestampDelta = cursor.readVarlong();
            final int offsetDelta = cursor.readVarint();
            cursor.skipField(cursor.readVarint(), true);
            cursor.skipField(cursor.readVarint(), true);
            final int headerCount = cursor.readVarint();
            if (headerCount < 0)
            {
                return BatchError.MALFORMED_RECORD;
            }
            for (int i = 0; i < headerCount && !cursor.isMalformed(); i++)
            {
                cursor.skipField(cursor.readVarint(), false);
                cursor.skipField(cursor.readVarint(), true);
            }

            if (cursor.isMalformed() || cursor.position() != recordEnd)
            {
                return BatchError.MALFORMED_RECORD;
            }

            if (offsetDelta != count)
            {
                return BatchError.BAD_OFFSET_DELTA;
            }

            maxTimestamp = Math.max(maxTimestamp, firstTimestamp + timestampDelta);
            count++;
            cursor.wrap(buffer, recordEnd, batchLimit);
        }

        if (count != recordCount)
        {
            return BatchError.RECORD_COUNT_MISMATCH;
        }

        if (maxTimestamp != batch.maxTimestamp())
        {
            return BatchError.BAD_TIMESTAMPS;
        }

        return BatchError.OK;
    }
}
