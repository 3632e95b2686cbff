package io.swimlog.protocol.record;

import io.swimlog.protocol.sbe.RecordBatchHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Builds a record batch in place over a caller's buffer, as a producer does: records are appended one by one
 * straight into their final position, then {@link #build()} writes the header and the CRC-32C.
 * <p>
 * Usage: {@code wrap(buffer, offset, capacity)}, optionally {@code producer(...)}, {@code tryAppend(...)} until it
 * returns false or the batch is full enough, {@code build()} gives the batch length. The batch leaves with base
 * offset 0 and leader epoch {@link RecordBatch#NO_PARTITION_LEADER_EPOCH}: the leader stamps both.
 * <p>
 * Not thread safe; reusable; allocates nothing.
 */
public final class RecordBatchBuilder
{
    private static final int NULL_LENGTH = -1;

    private final RecordBatchHeaderEncoder encoder = new RecordBatchHeaderEncoder();
    private final Crc32cChecksum checksum = new Crc32cChecksum();
    private MutableDirectBuffer buffer;
    private int offset;
    private int limit;
    private int position;
    private int recordCount;
    private long firstTimestamp;
    private long maxTimestamp;
    private long producerId;
    private short producerEpoch;
    private int baseSequence;
    private short attributes;

    /**
     * Start a new, empty batch.
     *
     * @param buffer   to build in.
     * @param offset   of the batch's first byte.
     * @param capacity most bytes the batch may take.
     * @return this for a fluent API.
     */
    public RecordBatchBuilder wrap(final MutableDirectBuffer buffer, final int offset, final int capacity)
    {
        if (capacity < RecordBatch.HEADER_LENGTH)
        {
            throw new IllegalArgumentException("capacity " + capacity + " < batch header " + RecordBatch.HEADER_LENGTH);
        }
        buffer.boundsCheck(offset, capacity);

        this.buffer = buffer;
        this.offset = offset;
        this.limit = offset + capacity;
        this.position = offset + RecordBatch.HEADER_LENGTH;
        this.recordCount = 0;
        this.firstTimestamp = 0;
        this.maxTimestamp = 0;
        this.producerId = RecordBatch.NO_PRODUCER_ID;
        this.producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
        this.baseSequence = RecordBatch.NO_SEQUENCE;
        this.attributes = 0;

        return this;
    }

    /**
     * @param producerId    of an idempotent producer.
     * @param producerEpoch of that producer.
     * @param baseSequence  of the first record of this batch.
     * @return this for a fluent API.
     */
    public RecordBatchBuilder producer(final long producerId, final short producerEpoch, final int baseSequence)
    {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;

        return this;
    }

    /**
     * @return records appended so far.
     */
    public int recordCount()
    {
        return recordCount;
    }

    /**
     * @return bytes the batch would take if built now.
     */
    public int sizeInBytes()
    {
        return position - offset;
    }

    /**
     * Append a record without headers.
     *
     * @see #tryAppend(long, DirectBuffer, int, int, DirectBuffer, int, int, RecordHeaders)
     */
    public boolean tryAppend(
        final long timestamp,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength)
    {
        return tryAppend(timestamp, key, keyOffset, keyLength, value, valueOffset, valueLength, null);
    }

    /**
     * Append a record if it fits.
     *
     * @param timestamp   of the record, ms since epoch.
     * @param key         buffer of the key, or null for a null key.
     * @param keyOffset   of the key.
     * @param keyLength   of the key (ignored when key is null).
     * @param value       buffer of the value, or null for a null value.
     * @param valueOffset of the value.
     * @param valueLength of the value (ignored when value is null).
     * @param headers     of the record, or null for none.
     * @return true if appended, false if the batch has no room left for it (the batch is unchanged).
     */
    public boolean tryAppend(
        final long timestamp,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final RecordHeaders headers)
    {
        final int keyLen = null == key ? NULL_LENGTH : keyLength;
        final int valueLen = null == value ? NULL_LENGTH : valueLength;
        final long timestampDelta = 0 == recordCount ? 0 : timestamp - firstTimestamp;
        final int offsetDelta = recordCount;

        final int bodyLength = 1 +
            Varint.sizeOfVarlong(timestampDelta) +
            Varint.sizeOfVarint(offsetDelta) +
            Varint.sizeOfVarint(keyLen) + Math.max(0, keyLen) +
            Varint.sizeOfVarint(valueLen) + Math.max(0, valueLen) +
            (null == headers ? 1 : headers.encodedLength());
        final int recordLength = Varint.sizeOfVarint(bodyLength) + bodyLength;

        if (recordLength > limit - position)
        {
            return false;
        }

        int p = position;
        p += Varint.putVarint(buffer, p, bodyLength);
        buffer.putByte(p++, (byte)0);
        p += Varint.putVarlong(buffer, p, timestampDelta);
        p += Varint.putVarint(buffer, p, offsetDelta);
        p += putField(p, key, keyOffset, keyLen);
        p += putField(p, value, valueOffset, valueLen);
        if (null == headers)
        {
            p += Varint.putVarint(buffer, p, 0);
        }
        else
        {
            final int count = headers.count();
            p += Varint.putVarint(buffer, p, count);
            for (int i = 0; i < count; i++)
            {
                p += putField(p, headers.keyBuffer(i), headers.keyOffset(i), headers.keyLength(i));
                p += putField(p, headers.valueBuffer(i), headers.valueOffset(i), headers.valueLength(i));
            }
        }
        position = p;

        if (0 == recordCount)
        {
            firstTimestamp = timestamp;
            maxTimestamp = timestamp;
        }
        else if (timestamp > maxTimestamp)
        {
            maxTimestamp = timestamp;
        }
        recordCount++;

        return true;
    }

    /**
     * Write the header and CRC. The batch must hold at least one record.
     *
     * @return the total length of the batch in bytes.
     */
    public int build()
    {
        if (0 == recordCount)
        {
            throw new IllegalStateException("a batch needs at least one record");
        }

        final int totalLength = position - offset;
        encoder.wrap(buffer, offset)
            .baseOffset(0)
            .batchLength(totalLength - RecordBatch.LOG_OVERHEAD)
            .partitionLeaderEpoch(RecordBatch.NO_PARTITION_LEADER_EPOCH)
            .magic(RecordBatch.MAGIC)
            .crc(0)
            .attributes(attributes)
            .lastOffsetDelta(recordCount - 1)
            .firstTimestamp(firstTimestamp)
            .maxTimestamp(maxTimestamp)
            .producerId(producerId)
            .producerEpoch(producerEpoch)
            .baseSequence(baseSequence)
            .recordCount(recordCount);

        final int crc = checksum.compute(
            buffer, offset + RecordBatch.CRC_COVERED_OFFSET, totalLength - RecordBatch.CRC_COVERED_OFFSET);
        encoder.crc(crc & 0xFFFF_FFFFL);

        return totalLength;
    }

    private int putField(final int index, final DirectBuffer source, final int sourceOffset, final int length)
    {
        final int lengthBytes = Varint.putVarint(buffer, index, length);
        if (length > 0)
        {
            buffer.putBytes(index + lengthBytes, source, sourceOffset, length);
        }

        return lengthBytes + Math.max(0, length);
    }
}
