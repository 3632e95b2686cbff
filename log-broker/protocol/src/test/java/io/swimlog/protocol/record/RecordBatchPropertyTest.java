package io.swimlog.protocol.record;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecordBatchPropertyTest
{
    record Header(byte[] key, byte[] value)
    {
    }

    record TestRecord(long timestamp, byte[] key, byte[] value, List<Header> headers)
    {
    }

    @Provide
    Arbitrary<TestRecord> records()
    {
        final Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        final Arbitrary<byte[]> nullableBytes = bytes.injectNull(0.2);
        final Arbitrary<Header> header = Combinators.combine(bytes, nullableBytes).as(Header::new);
        return Combinators.combine(
            Arbitraries.longs().between(0, 1L << 45),
            nullableBytes,
            nullableBytes,
            header.list().ofMaxSize(3)).as(TestRecord::new);
    }

    @Property(tries = 200)
    void anyRecordsRoundTripThroughBuilderAndReader(
        @ForAll @Size(min = 1, max = 20) final List<@From("records") TestRecord> records,
        @ForAll final long baseOffset,
        @ForAll @IntRange(min = 0) final int leaderEpoch)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(buffer, 3, 64 * 1024 - 3);
        final RecordHeaders headers = new RecordHeaders();
        for (final TestRecord r : records)
        {
            headers.clear();
            for (final Header h : r.headers())
            {
                headers.add(new UnsafeBuffer(h.key()), 0, h.key().length,
                    null == h.value() ? null : new UnsafeBuffer(h.value()), 0, null == h.value() ? -1 : h.value().length);
            }
            assertThat(builder.tryAppend(r.timestamp(),
                null == r.key() ? null : new UnsafeBuffer(r.key()), 0, null == r.key() ? 0 : r.key().length,
                null == r.value() ? null : new UnsafeBuffer(r.value()), 0, null == r.value() ? 0 : r.value().length,
                headers)).isTrue();
        }
        final int length = builder.build();
        final long safeBase = baseOffset & Long.MAX_VALUE >>> 1;
        RecordBatch.stampBaseOffset(buffer, 3, safeBase);
        RecordBatch.stampLeaderEpoch(buffer, 3, leaderEpoch);

        assertThat(new RecordBatchValidator().validate(buffer, 3, length)).isEqualTo(BatchError.OK);
        final RecordBatchReader reader = new RecordBatchReader().wrap(buffer, 3);
        assertThat(reader.batch().partitionLeaderEpoch()).isEqualTo(leaderEpoch);
        final List<TestRecord> decoded = new ArrayList<>();
        while (reader.nextRecord())
        {
            assertThat(reader.offset()).isEqualTo(safeBase + decoded.size());
            final List<Header> hs = new ArrayList<>();
            while (reader.nextHeader())
            {
                hs.add(new Header(bytes(buffer, reader.headerKeyOffset(), reader.headerKeyLength()),
                    bytes(buffer, reader.headerValueOffset(), reader.headerValueLength())));
            }
            decoded.add(new TestRecord(reader.timestamp(), bytes(buffer, reader.keyOffset(), reader.keyLength()),
                bytes(buffer, reader.valueOffset(), reader.valueLength()), hs));
        }

        assertThat(decoded).hasSize(records.size());
        for (int i = 0; i < records.size(); i++)
        {
            assertSame(decoded.get(i), records.get(i));
        }
    }

    @Property(tries = 300)
    void anyByteFlipCoveredByTheCrcIsDetected(
        @ForAll @Size(min = 1, max = 5) final List<@From("records") TestRecord> records,
        @ForAll @IntRange(min = 0, max = 100_000) final int where,
        @ForAll @IntRange(min = 1, max = 255) final int mask)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16 * 1024]);
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(buffer, 0, 16 * 1024);
        for (final TestRecord r : records)
        {
            builder.tryAppend(r.timestamp(), null, 0, 0, null == r.value() ? null : new UnsafeBuffer(r.value()), 0,
                null == r.value() ? 0 : r.value().length);
        }
        final int length = builder.build();
        final int index = RecordBatch.LEADER_EPOCH_OFFSET + 4 + where % (length - RecordBatch.LEADER_EPOCH_OFFSET - 4);
        buffer.putByte(index, (byte)(buffer.getByte(index) ^ mask));

        assertThat(new RecordBatchValidator().validate(buffer, 0, length)).isNotEqualTo(BatchError.OK);
    }

    @Property(tries = 500)
    void varintsRoundTrip(@ForAll final int i, @ForAll final long l)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        final int n = Varint.putVarint(buffer, 0, i);
        assertThat(n).isEqualTo(Varint.sizeOfVarint(i));
        final int m = Varint.putVarlong(buffer, n, l);
        assertThat(m).isEqualTo(Varint.sizeOfVarlong(l));
        final RecordCursor cursor = new RecordCursor();
        cursor.wrap(buffer, 0, n + m);
        assertThat(cursor.readVarint()).isEqualTo(i);
        assertThat(cursor.readVarlong()).isEqualTo(l);
        assertThat(cursor.isMalformed()).isFalse();
    }

    @Property(tries = 300)
    void garbageNeverPassesValidationNorThrows(@ForAll @Size(max = 400) final byte[] garbage)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(garbage);
        assertThat(new RecordBatchValidator().validatePrefix(buffer, 0, garbage.length)).isNotEqualTo(BatchError.OK);
    }

    private static byte[] bytes(final UnsafeBuffer buffer, final int offset, final int length)
    {
        if (length < 0)
        {
            return null;
        }
        final byte[] b = new byte[length];
        buffer.getBytes(offset, b);
        return b;
    }

    private static void assertSame(final TestRecord actual, final TestRecord expected)
    {
        assertThat(actual.timestamp()).isEqualTo(expected.timestamp());
        assertThat(actual.key()).isEqualTo(expected.key());
        assertThat(actual.value()).isEqualTo(expected.value());
        assertThat(actual.headers()).hasSize(expected.headers().size());
        for (int i = 0; i < expected.headers().size(); i++)
        {
            assertThat(actual.headers().get(i).key()).isEqualTo(expected.headers().get(i).key());
            assertThat(Arrays.equals(actual.headers().get(i).value(), expected.headers().get(i).value())).isTrue();
        }
    }
}
