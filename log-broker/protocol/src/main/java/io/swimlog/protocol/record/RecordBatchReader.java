package io.swimlog.protocol.record;

import org.agrona.DirectBuffer;

/**
 * Walks the records of a batch in place: keys, values and headers are exposed as (buffer, offset, length)
 * into the batch's own buffer, never copied.
 * <pre>{@code
 * reader.wrap(buffer, offset);
 * while (reader.nextRecord())
 * {
 *     handle(reader.offset(), reader.timestamp(), reader.buffer(), reader.valueOffset(), reader.valueLength());
 *     while (reader.nextHeader()) { ... reader.headerKeyOffset() ... }
 * }
 * }</pre>
 * The batch must have passed {@link RecordBatchValidator}; a malformed record found anyway raises
 * {@link IllegalStateException} rather than reading out of bounds.
 * <p>
 * Not thread safe; reusable; allocates nothing.
 */
public final class RecordBatchReader
{
    private final RecordBatch batch = new RecordBatch();
    private final RecordCursor cursor = new RecordCursor();
    private final RecordCursor headerCursor = new RecordCursor();
    private DirectBuffer buffer;
    private int remainingRecords;
    private int recordIndex;

    private long offset;
    private long timestamp;
    private int keyOffset;
    private int keyLength;
    private int valueOffset;
    private int valueLength;
    private int headerCount;
    private int remainingHeaders;
    private int headerKeyOffset;
    private int headerKeyLength;
    private int headerValueOffset;
    private int headerValueLength;

    /**
     * @param buffer holding a validated batch.
     * @param offset of the batch.
     * @return this for a fluent API.
     */
    public RecordBatchReader wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        batch.wrap(buffer, offset);
        cursor.wrap(buffer, offset + RecordBatch.HEADER_LENGTH, offset + batch.totalSize());
        remainingRecords = batch.recordCount();
        recordIndex = -1;
        remainingHeaders = 0;

        return this;
    }

    /**
     * @return the batch header.
     */
    public RecordBatch batch()
    {
        return batch;
    }

    /**
     * @return the buffer every offset returned by this reader indexes.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Advance to the next record.
     *
     * @return false when the batch has no more records.
     */
    public boolean nextRecord()
    {
        if (remainingRecords <= 0)
        {
            return false;
        }

        final int length = cursor.readVarint();
        final int recordEnd = cursor.position() + length;
        cursor.readByte();
        final long timestampDelta = cursor.readVarlong();
        final int offsetDelta = cursor.readVarint();
        keyLength = cursor.readVarint();
        keyOffset = cursor.skipField(keyLength, true);
        valueLength = cursor.readVarint();
        valueOffset = cursor.skipField(valueLength, true);
        headerCount = cursor.readVarint();

        if (cursor.isMalformed() || length < 0 || recordEnd > cursor.limit() || headerCount < 0)
        {
            throw new IllegalStateException("malformed record " + (recordIndex + 1) + " in batch at base offset " +
                batch.baseOffset() + ": validate batches before reading them");
        }

        headerCursor.wrap(buffer, cursor.position(), recordEnd);
        remainingHeaders = headerCount;
        cursor.position(recordEnd);

        offset = batch.baseOffset() + offsetDelta;
        timestamp = batch.firstTimestamp() + timestampDelta;
        recordIndex++;
        remainingRecords--;

        return true;
    }

    /**
     * Advance to the current record's next header.
     *
     * @return false when the record has no more headers.
     */
    public boolean nextHeader()
    {
        if (remainingHeaders <= 0)
        {
            return false;
        }

        headerKeyLength = headerCursor.readVarint();
        headerKeyOffset = headerCursor.skipField(headerKeyLength, false);
        headerValueLength = headerCursor.readVarint();
        headerValueOffset = headerCursor.skipField(headerValueLength, true);
        if (headerCursor.isMalformed())
        {
            throw new IllegalStateException("malformed header in record " + recordIndex + " of batch at base offset " +
                batch.baseOffset() + ": validate batches before reading them");
        }
        remainingHeaders--;

        return true;
    }

    /**
     * @return index of the current record within the batch.
     */
    public int recordIndex()
    {
        return recordIndex;
    }

    public long offset()
    {
        return offset;
    }

    public long timestamp()
    {
        return timestamp;
    }

    /**
     * @return key length, or -1 for a null key.
     */
    public int keyLength()
    {
        return keyLength;
    }

    public int keyOffset()
    {
        return keyOffset;
    }

    /**
     * @return value length, or -1 for a null value.
     */
    public int valueLength()
    {
        return valueLength;
    }

    public int valueOffset()
    {
        return valueOffset;
    }

    public int headerCount()
    {
        return headerCount;
    }

    public int headerKeyOffset()
    {
        return headerKeyOffset;
    }

    public int headerKeyLength()
    {
        return headerKeyLength;
    }

    public int headerValueOffset()
    {
        return headerValueOffset;
    }

    /**
     * @return header value length, or -1 for a null value.
     */
    public int headerValueLength()
    {
        return headerValueLength;
    }
}
