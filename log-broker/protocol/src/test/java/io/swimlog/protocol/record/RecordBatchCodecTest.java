package io.swimlog.protocol.record;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class RecordBatchCodecTest
{
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final RecordBatchValidator validator = new RecordBatchValidator();
    private final RecordBatchReader reader = new RecordBatchReader();
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));

    private static UnsafeBuffer utf8(final String s)
    {
        return new UnsafeBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    private int buildThreeRecords(final int at)
    {
        final UnsafeBuffer k = utf8("key");
        final UnsafeBuffer v = utf8("value-one");
        final RecordHeaders headers = new RecordHeaders().add(utf8("h"), 0, 1, utf8("hv"), 0, 2).add(utf8("n"), 0, 1, null, 0, 0);
        builder.wrap(buffer, at, 1024).producer(7, (short)2, 100);
        assertThat(builder.tryAppend(1_000, k, 0, k.capacity(), v, 0, v.capacity())).isTrue();
        assertThat(builder.tryAppend(900, null, 0, 0, v, 0, 5, headers)).isTrue();
        assertThat(builder.tryAppend(1_500, k, 0, 3, null, 0, 0)).isTrue();
        return builder.build();
    }

    @Test
    void builtBatchValidatesAndReadsBackEveryField()
    {
        final int length = buildThreeRecords(16);

        assertThat(validator.validate(buffer, 16, length)).isEqualTo(BatchError.OK);
        final RecordBatch batch = new RecordBatch().wrap(buffer, 16);
        assertThat(batch.totalSize()).isEqualTo(length);
        assertThat(batch.magic()).isEqualTo(RecordBatch.MAGIC);
        assertThat(batch.recordCount()).isEqualTo(3);
        assertThat(batch.lastOffsetDelta()).isEqualTo(2);
        assertThat(batch.firstTimestamp()).isEqualTo(1_000);
        assertThat(batch.maxTimestamp()).isEqualTo(1_500);
        assertThat(batch.producerId()).isEqualTo(7);
        assertThat(batch.producerEpoch()).isEqualTo((short)2);
        assertThat(batch.baseSequence()).isEqualTo(100);
        assertThat(batch.partitionLeaderEpoch()).isEqualTo(RecordBatch.NO_PARTITION_LEADER_EPOCH);

        reader.wrap(buffer, 16);
        assertThat(reader.nextRecord()).isTrue();
        assertThat(reader.offset()).isEqualTo(0);
        assertThat(reader.timestamp()).isEqualTo(1_000);
        assertThat(buffer.getStringWithoutLengthUtf8(reader.keyOffset(), reader.keyLength())).isEqualTo("key");
        assertThat(buffer.getStringWithoutLengthUtf8(reader.valueOffset(), reader.valueLength())).isEqualTo("value-one");
        assertThat(reader.nextHeader()).isFalse();

        assertThat(reader.nextRecord()).isTrue();
        assertThat(reader.offset()).isEqualTo(1);
        assertThat(reader.timestamp()).isEqualTo(900);
        assertThat(reader.keyLength()).isEqualTo(-1);
        assertThat(reader.headerCount()).isEqualTo(2);
        assertThat(reader.nextHeader()).isTrue();
        assertThat(buffer.getStringWithoutLengthUtf8(reader.headerKeyOffset(), reader.headerKeyLength())).isEqualTo("h");
        assertThat(buffer.getStringWithoutLengthUtf8(reader.headerValueOffset(), reader.headerValueLength())).isEqualTo("hv");
        assertThat(reader.nextHeader()).isTrue();
        assertThat(reader.headerValueLength()).isEqualTo(-1);
        assertThat(reader.nextHeader()).isFalse();

        assertThat(reader.nextRecord()).isTrue();
        assertThat(reader.valueLength()).isEqualTo(-1);
        assertThat(reader.nextRecord()).isFalse();
    }

    @Test
    void stampingOffsetAndEpochKeepsTheCrcValid()
    {
        final int length = buildThreeRecords(0);
        RecordBatch.stampBaseOffset(buffer, 0, 1_000_000_000_000L);
        RecordBatch.stampLeaderEpoch(buffer, 0, 42);

        assertThat(validator.validate(buffer, 0, length)).isEqualTo(BatchError.OK);
        final RecordBatch batch = new RecordBatch().wrap(buffer, 0);
        assertThat(batch.baseOffset()).isEqualTo(1_000_000_000_000L);
        assertThat(batch.lastOffset()).isEqualTo(1_000_000_000_002L);
        assertThat(batch.partitionLeaderEpoch()).isEqualTo(42);
        reader.wrap(buffer, 0);
        reader.nextRecord();
        reader.nextRecord();
        assertThat(reader.offset()).isEqualTo(1_000_000_000_001L);
    }

    @Test
    void eachKindOfDamageHasItsOwnError()
    {
        final int length = buildThreeRecords(0);
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);

        copy.putBytes(0, buffer, 0, length);
        assertThat(validator.validate(copy, 0, 40)).isEqualTo(BatchError.TRUNCATED_HEADER);
        assertThat(validator.validate(copy, 0, length - 1)).isEqualTo(BatchError.LENGTH_MISMATCH);
        assertThat(validator.validatePrefix(copy, 0, 40)).isEqualTo(BatchError.TRUNCATED_HEADER);
        assertThat(validator.validatePrefix(copy, 0, length - 1)).isEqualTo(BatchError.BAD_LENGTH);

        copy.putInt(RecordBatch.BATCH_LENGTH_OFFSET, 3, RecordBatch.BYTE_ORDER);
        assertThat(validator.validatePrefix(copy, 0, length)).isEqualTo(BatchError.BAD_LENGTH);

        copy.putBytes(0, buffer, 0, length);
        copy.putByte(RecordBatch.MAGIC_OFFSET, (byte)1);
        assertThat(validator.validate(copy, 0, length)).isEqualTo(BatchError.UNSUPPORTED_MAGIC);

        copy.putBytes(0, buffer, 0, length);
        copy.putByte(length - 1, (byte)(copy.getByte(length - 1) ^ 0x01));
        assertThat(validator.validate(copy, 0, length)).isEqualTo(BatchError.BAD_CRC);

        copy.setMemory(0, length, (byte)0);
        assertThat(validator.validatePrefix(copy, 0, length)).isEqualTo(BatchError.BAD_LENGTH);
    }

    @Test
    void recordCountDisagreeingWithRecordsIsRejectedEvenWithAGoodCrc()
    {
        final int length = buildThreeRecords(0);
        buffer.putInt(RecordBatch.RECORD_COUNT_OFFSET, 2, RecordBatch.BYTE_ORDER);
        buffer.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, 1, RecordBatch.BYTE_ORDER);
        reseal(length);
        assertThat(validator.validate(buffer, 0, length)).isEqualTo(BatchError.RECORD_COUNT_MISMATCH);

        buffer.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, 5, RecordBatch.BYTE_ORDER);
        reseal(length);
        assertThat(validator.validate(buffer, 0, length)).isEqualTo(BatchError.BAD_RECORD_COUNT);
    }

    @Test
    void recordThatDoesNotFitIsRefusedAndTheBatchIsUnchanged()
    {
        final UnsafeBuffer value = new UnsafeBuffer(new byte[100]);
        builder.wrap(buffer, 0, 200);
        assertThat(builder.tryAppend(1, null, 0, 0, value, 0, 100)).isTrue();
        final int size = builder.sizeInBytes();
        assertThat(builder.tryAppend(1, null, 0, 0, value, 0, 100)).isFalse();
        assertThat(builder.sizeInBytes()).isEqualTo(size);
        assertThat(builder.recordCount()).isEqualTo(1);
        assertThat(validator.validate(buffer, 0, builder.build())).isEqualTo(BatchError.OK);
    }

    @Test
    void emptyBatchCannotBeBuilt()
    {
        builder.wrap(buffer, 0, 200);
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void heapAndDirectBuffersGiveTheSameCrc()
    {
        final int length = buildThreeRecords(0);
        final byte[] array = new byte[length + 7];
        buffer.getBytes(0, array, 7, length);
        final UnsafeBuffer heap = new UnsafeBuffer(array, 7, length);
        final Crc32cChecksum crc = new Crc32cChecksum();
        final int fromDirect = crc.compute(buffer, 21, length - 21);
        assertThat(crc.compute(heap, 21, length - 21)).isEqualTo(fromDirect);
        final UnsafeBuffer raw = new UnsafeBuffer(buffer.addressOffset(), length);
        assertThat(crc.compute(raw, 21, length - 21)).isEqualTo(fromDirect);
        assertThat(validator.validate(heap, 0, length)).isEqualTo(BatchError.OK);
    }

    private void reseal(final int length)
    {
        final int crc = new Crc32cChecksum().compute(buffer, RecordBatch.CRC_COVERED_OFFSET, length - RecordBatch.CRC_COVERED_OFFSET);
        buffer.putInt(RecordBatch.CRC_OFFSET, crc, RecordBatch.BYTE_ORDER);
    }
}
