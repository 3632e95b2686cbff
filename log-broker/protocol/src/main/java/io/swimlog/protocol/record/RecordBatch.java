package io.swimlog.protocol.record;

import io.swimlog.protocol.sbe.RecordBatchHeaderDecoder;
import io.swimlog.protocol.sbe.RecordBatchHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Flyweight over a record-batch header (layout in the package documentation), through the SBE-generated
 * {@link RecordBatchHeaderDecoder}, plus the in-place stamping the leader does.
 * <p>
 * Invariants of a valid batch: {@code totalSize() == LOG_OVERHEAD + batchLength()}, {@code recordCount() ==
 * lastOffsetDelta() + 1 >= 1}, the CRC covers {@link #CRC_COVERED_OFFSET} to the end, so {@link #stampBaseOffset}
 * and {@link #stampLeaderEpoch} never invalidate it.
 * <p>
 * Wrapping does not validate: call {@link RecordBatchValidator} on untrusted bytes first.
 * Not thread safe; a flyweight is reused, never shared.
 */
public final class RecordBatch
{
    /**
     * Format version written and accepted.
     */
    public static final byte MAGIC = 2;

    /**
     * Byte order of every field, from the schema.
     */
    public static final ByteOrder BYTE_ORDER = RecordBatchHeaderEncoder.BYTE_ORDER;

    public static final int BASE_OFFSET_OFFSET = RecordBatchHeaderEncoder.baseOffsetEncodingOffset();
    public static final int BATCH_LENGTH_OFFSET = RecordBatchHeaderEncoder.batchLengthEncodingOffset();
    public static final int LEADER_EPOCH_OFFSET = RecordBatchHeaderEncoder.partitionLeaderEpochEncodingOffset();
    public static final int MAGIC_OFFSET = RecordBatchHeaderEncoder.magicEncodingOffset();
    public static final int CRC_OFFSET = RecordBatchHeaderEncoder.crcEncodingOffset();
    public static final int ATTRIBUTES_OFFSET = RecordBatchHeaderEncoder.attributesEncodingOffset();
    public static final int LAST_OFFSET_DELTA_OFFSET = RecordBatchHeaderEncoder.lastOffsetDeltaEncodingOffset();
    public static final int MAX_TIMESTAMP_OFFSET = RecordBatchHeaderEncoder.maxTimestampEncodingOffset();
    public static final int RECORD_COUNT_OFFSET = RecordBatchHeaderEncoder.recordCountEncodingOffset();

    /**
     * First byte covered by the CRC: everything from the attributes to the end of the batch.
     */
    public static final int CRC_COVERED_OFFSET = ATTRIBUTES_OFFSET;

    /**
     * Bytes before {@code batchLength} counts: baseOffset and batchLength themselves.
     */
    public static final int LOG_OVERHEAD = BATCH_LENGTH_OFFSET + RecordBatchHeaderEncoder.batchLengthEncodingLength();

    /**
     * Bytes of the header, before the first record.
     */
    public static final int HEADER_LENGTH = RecordBatchHeaderEncoder.BLOCK_LENGTH;

    /**
     * Leader epoch of a batch no leader has stamped yet.
     */
    public static final int NO_PARTITION_LEADER_EPOCH = -1;

    /**
     * Producer id, epoch and sequence of a batch from a producer that is not idempotent.
     */
    public static final long NO_PRODUCER_ID = -1;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;

    private final RecordBatchHeaderDecoder decoder = new RecordBatchHeaderDecoder();
    private DirectBuffer buffer;
    private int offset;

    /**
     * @param buffer holding a batch.
     * @param offset of the batch's first byte.
     * @return this for a fluent API.
     */
    public RecordBatch wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        decoder.wrap(buffer, offset, RecordBatchHeaderDecoder.BLOCK_LENGTH, RecordBatchHeaderDecoder.SCHEMA_VERSION);

        return this;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public long baseOffset()
    {
        return decoder.baseOffset();
    }

    public int batchLength()
    {
        return decoder.batchLength();
    }

    /**
     * @return bytes of the whole batch, header included.
     */
    public int totalSize()
    {
        return LOG_OVERHEAD + decoder.batchLength();
    }

    public int partitionLeaderEpoch()
    {
        return decoder.partitionLeaderEpoch();
    }

    public byte magic()
    {
        return decoder.magic();
    }

    public int crc()
    {
        return (int)decoder.crc();
    }

    public short attributes()
    {
        return decoder.attributes();
    }

    public int lastOffsetDelta()
    {
        return decoder.lastOffsetDelta();
    }

    /**
     * @return offset of the last record: {@code baseOffset() + lastOffsetDelta()}.
     */
    public long lastOffset()
    {
        return decoder.baseOffset() + decoder.lastOffsetDelta();
    }

    /**
     * @return offset the next batch will start at.
     */
    public long nextOffset()
    {
        return lastOffset() + 1;
    }

    public long firstTimestamp()
    {
        return decoder.firstTimestamp();
    }

    public long maxTimestamp()
    {
        return decoder.maxTimestamp();
    }

    public long producerId()
    {
        return decoder.producerId();
    }

    public short producerEpoch()
    {
        return decoder.producerEpoch();
    }

    public int baseSequence()
    {
        return decoder.baseSequence();
    }

    public int recordCount()
    {
        return decoder.recordCount();
    }

    /**
     * Assign the batch's offsets in place. Not covered by the CRC, so the batch stays valid.
     *
     * @param buffer     holding the batch.
     * @param offset     of the batch.
     * @param baseOffset to assign to the first record.
     */
    public static void stampBaseOffset(final MutableDirectBuffer buffer, final int offset, final long baseOffset)
    {
        buffer.putLong(offset + BASE_OFFSET_OFFSET, baseOffset, BYTE_ORDER);
    }

    /**
     * Record the leader epoch of the append in place. Not covered by the CRC, so the batch stays valid.
     *
     * @param buffer      holding the batch.
     * @param offset      of the batch.
     * @param leaderEpoch of the leader appending it.
     */
    public static void stampLeaderEpoch(final MutableDirectBuffer buffer, final int offset, final int leaderEpoch)
    {
        buffer.putInt(offset + LEADER_EPOCH_OFFSET, leaderEpoch, BYTE_ORDER);
    }

    /**
     * @param buffer holding at least {@link #LOG_OVERHEAD} bytes of a batch at {@code offset}.
     * @param offset of the batch.
     * @return its base offset, read without wrapping a flyweight.
     */
    public static long baseOffset(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + BASE_OFFSET_OFFSET, BYTE_ORDER);
    }

    /**
     * @param buffer holding at least {@link #LOG_OVERHEAD} bytes of a batch at {@code offset}.
     * @param offset of the batch.
     * @return the size of the whole batch as its length field claims (unvalidated).
     */
    public static int totalSize(final DirectBuffer buffer, final int offset)
    {
        return LOG_OVERHEAD + buffer.getInt(offset + BATCH_LENGTH_OFFSET, BYTE_ORDER);
    }
}
