package io.swimlog.storage;

import io.swimlog.protocol.record.BatchError;
import io.swimlog.protocol.record.RecordBatch;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class PartitionLogTest
{
    @TempDir
    Path tempDir;

    private final List<PartitionLog> opened = new ArrayList<>();
    private long now = 1_000_000L;

    private LogContext context()
    {
        return new LogContext()
            .directory(tempDir.resolve("topic-0").toFile())
            .segmentBytes(16 * 1024)
            .indexIntervalBytes(512)
            .maxIndexBytes(4096)
            .epochClock(() -> now);
    }

    private PartitionLog open(final LogContext ctx)
    {
        final PartitionLog log = PartitionLog.open(ctx);
        opened.add(log);
        return log;
    }

    @AfterEach
    void closeAll()
    {
        for (final PartitionLog log : opened)
        {
            try
            {
                log.close();
            }
            catch (final StorageException ignore)
            {
                // already closed with an error the test asserted on
            }
        }
    }

    @Test
    void appendAssignsContiguousOffsetsAndReadReturnsTheBatchHoldingAnOffset() throws Exception
    {
        final PartitionLog log = open(context());
        final UnsafeBuffer a = TestBatches.batch(3, 50, now, 1);
        final UnsafeBuffer b = TestBatches.batch(5, 50, now, 2);

        assertThat(log.append(a, 0, a.capacity(), 0)).isEqualTo(0);
        assertThat(log.append(b, 0, b.capacity(), 0)).isEqualTo(3);
        assertThat(log.logEndOffset()).isEqualTo(8);
        assertThat(new RecordBatch().wrap(b, 0).baseOffset()).as("stamped in place").isEqualTo(3);

        final LogReadResult result = new LogReadResult();
        assertThat(log.read(5, 1, result)).isTrue();
        assertThat(result.firstOffset()).isEqualTo(3);
        assertThat(result.nextOffset()).isEqualTo(8);
        assertThat(result.length()).as("at least one whole batch").isEqualTo(b.capacity());
        final ByteBuffer bytes = ByteBuffer.allocateDirect(result.length());
        result.readInto(bytes);
        assertThat(new UnsafeBuffer(bytes).compareTo(new UnsafeBuffer(b))).isZero();

        assertThat(log.read(0, 1 << 20, result)).isTrue();
        assertThat(result.length()).isEqualTo(a.capacity() + b.capacity());
        assertThat(log.read(8, 100, result)).as("at the log end").isFalse();
        assertThatThrownBy(() -> log.read(9, 100, result)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void aReaderFollowingTheTailStartsWhereItsLastReadEndedAndATruncationForgetsThat() throws Exception
    {
        // No index entry but the first: every look-up without the hint scans from the segment's start.
        final PartitionLog log = open(context().segmentBytes(1024 * 1024).indexIntervalBytes(1024 * 1024));
        final LogReadResult result = new LogReadResult();
        final List<byte[]> appended = new ArrayList<>();
        long next = 0;
        long headerReadsWhileFollowing = 0;
        for (int i = 0; i < 200; i++)
        {
            final UnsafeBuffer batch = TestBatches.batch(1, 60, now, i);
            final long baseOffset = log.append(batch, 0, batch.capacity(), 0);
            appended.add(TestBatches.stamped(batch, baseOffset, 0));
            final long before = result.reader().headerReads();
            assertThat(log.read(next, 1024 * 1024, result)).isTrue();
            headerReadsWhileFollowing += result.reader().headerReads() - before;
            assertThat(result.firstOffset()).isEqualTo(next);
            assertThat(result.nextOffset()).isEqualTo(log.logEndOffset());
            next = result.nextOffset();
        }
        // Without the hint the 200 look-ups would read 20,000 headers.
        assertThat(headerReadsWhileFollowing).as("one header per fetch, and one for its end").isLessThanOrEqualTo(400);

        // Boundaries after a truncation differ from the ones remembered: larger batches re-appended past the old
        // end, so a remembered position would now fall inside one of them.
        log.truncateTo(150);
        final List<byte[]> expected = new ArrayList<>(appended.subList(0, 150));
        for (int i = 0; i < 30; i++)
        {
            final UnsafeBuffer batch = TestBatches.batch(3, 200, now, 1000 + i);
            final long baseOffset = log.append(batch, 0, batch.capacity(), 0);
            expected.add(TestBatches.stamped(batch, baseOffset, 0));
        }
        for (long offset = 200; offset < log.logEndOffset(); offset++)
        {
            assertThat(log.read(offset, 1, result)).isTrue();
            assertThat(result.firstOffset()).isLessThanOrEqualTo(offset);
            assertThat(result.nextOffset()).isGreaterThan(offset);
        }
        assertThat(TestBatches.readAll(log)).containsExactlyElementsOf(expected);
    }

    @Test
    void readStopsAtWholeBatchesWithinMaxBytes()
    {
        final PartitionLog log = open(context().indexIntervalBytes(0));
        int size = 0;
        for (int i = 0; i < 10; i++)
        {
            final UnsafeBuffer batch = TestBatches.batch(2, 100, now, i);
            size = batch.capacity();
            log.append(batch, 0, batch.capacity(), 0);
        }

        final LogReadResult result = new LogReadResult();
        assertThat(log.read(4, 3 * size + size / 2, result)).isTrue();
        assertThat(result.firstOffset()).isEqualTo(4);
        assertThat(result.length()).isEqualTo(3 * size);
        assertThat(result.nextOffset()).isEqualTo(10);
    }

    @Test
    void rollsBySizeAndByAgeWithSegmentsNamedByBaseOffset()
    {
        final PartitionLog log = open(context().segmentMs(60_000));
        while (log.segmentCount() < 3)
        {
            final UnsafeBuffer batch = TestBatches.batch(10, 100, now, log.logEndOffset());
            log.append(batch, 0, batch.capacity(), 0);
        }
        final long[] bases = log.segmentBaseOffsets();
        for (final long base : bases)
        {
            final String prefix = String.format("%020d", base);
            assertThat(new File(log.directory(), prefix + ".log")).exists();
            assertThat(new File(log.directory(), prefix + ".index")).exists();
            assertThat(new File(log.directory(), prefix + ".timeindex")).exists();
        }

        final int before = log.segmentCount();
        final UnsafeBuffer first = TestBatches.batch(1, 10, now, 99);
        log.append(first, 0, first.capacity(), 0);
        now += 60_100;
        final UnsafeBuffer late = TestBatches.batch(1, 10, now, 98);
        log.append(late, 0, late.capacity(), 0);
        assertThat(log.segmentCount()).as("rolled by age").isEqualTo(before + 1);
    }

    @Test
    void findsTheFirstOffsetAtOrAfterATimestamp()
    {
        final PartitionLog log = open(context());
        for (int i = 0; i < 100; i++)
        {
            final UnsafeBuffer batch = TestBatches.batch(4, 100, 10_000L + i * 100L, i);
            log.append(batch, 0, batch.capacity(), 0);
        }
        final LogReadResult scratch = new LogReadResult();
        assertThat(log.segmentCount()).isGreaterThan(1);
        assertThat(log.offsetForTimestamp(0, scratch)).isEqualTo(0);
        assertThat(log.offsetForTimestamp(10_000L + 37 * 100L + 2, scratch)).isEqualTo(37 * 4 + 2);
        assertThat(log.offsetForTimestamp(10_000L + 37 * 100L + 4, scratch)).isEqualTo(38 * 4);
        assertThat(log.offsetForTimestamp(10_000L + 99 * 100L + 3, scratch)).isEqualTo(399);
        assertThat(log.offsetForTimestamp(10_000L + 99 * 100L + 4, scratch)).isEqualTo(-1);
    }

    @Test
    void rejectsAnInvalidBatchWithItsReasonAndStaysUnchanged()
    {
        final PartitionLog log = open(context());
        final UnsafeBuffer batch = TestBatches.batch(3, 50, now, 1);
        batch.putByte(batch.capacity() - 1, (byte)(batch.getByte(batch.capacity() - 1) + 1));

        assertThatThrownBy(() -> log.append(batch, 0, batch.capacity(), 0))
            .isInstanceOfSatisfying(InvalidBatchException.class, e -> assertThat(e.error()).isEqualTo(BatchError.BAD_CRC));
        assertThatThrownBy(() -> log.append(batch, 0, 40, 0)).isInstanceOf(InvalidBatchException.class);
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.sizeInBytes()).isZero();
    }

    @Test
    void truncationRemovesTheBatchHoldingTheOffsetAndEverythingAfterAndPersists() throws Exception
    {
        final LogContext ctx = context();
        PartitionLog log = open(ctx);
        final List<byte[]> appended = new ArrayList<>();
        for (int i = 0; i < 60; i++)
        {
            final UnsafeBuffer batch = TestBatches.batch(5, 100, now, i);
            log.append(batch, 0, batch.capacity(), i < 30 ? 1 : 2);
            appended.add(batch.byteArray().clone());
        }
        assertThat(log.leaderEpochCache().endOffsetFor(1, log.logEndOffset())).isEqualTo(150);

        assertThat(log.truncateTo(152)).isEqualTo(150);
        assertThat(log.leaderEpochCache().latestEpoch()).isEqualTo(1);
        assertThat(log.truncateTo(101)).isEqualTo(100);
        final UnsafeBuffer next = TestBatches.batch(1, 10, now, 1000);
        assertThat(log.append(next, 0, next.capacity(), 3)).isEqualTo(100);
        log.close();

        log = open(ctx.clone());
        assertThat(log.logEndOffset()).isEqualTo(101);
        final List<byte[]> read = TestBatches.readAll(log);
        assertThat(read).hasSize(21);
        for (int i = 0; i < 20; i++)
        {
            assertThat(read.get(i)).isEqualTo(appended.get(i));
        }
        assertThat(log.leaderEpochCache().entries()).extracting(e -> e[0] + "@" + e[1]).containsExactly("1@0", "3@100");
    }

    @Test
    void retentionDeletesWholeOldSegmentsAndPersistsTheLogStart()
    {
        final LogContext ctx = context().retentionBytes(40 * 1024).retentionMs(10_000);
        final PartitionLog log = open(ctx);
        for (int i = 0; i < 200; i++)
        {
            final UnsafeBuffer batch = TestBatches.batch(5, 100, now + i, i);
            log.append(batch, 0, batch.capacity(), 0);
        }
        final int segments = log.segmentCount();
        final int deleted = log.deleteOldSegments();
        assertThat(deleted).isPositive();
        assertThat(log.segmentCount()).isEqualTo(segments - deleted);
        assertThat(log.sizeInBytes()).isGreaterThanOrEqualTo(40 * 1024);
        final long start = log.logStartOffset();
        assertThat(start).isEqualTo(log.segmentBaseOffsets()[0]).isPositive();
        assertThatThrownBy(() -> log.read(start - 1, 100, new LogReadResult())).isInstanceOf(OffsetOutOfRangeException.class);

        now += 20_000;
        final int remaining = log.segmentCount();
        assertThat(log.deleteOldSegments()).as("all but the active segment expired").isEqualTo(remaining - 1);
        assertThat(log.segmentCount()).isEqualTo(1);
        final long startAfterTime = log.logStartOffset();
        log.close();

        final PartitionLog reopened = open(ctx.clone());
        assertThat(reopened.logStartOffset()).isEqualTo(startAfterTime);
        assertThat(reopened.logEndOffset()).isEqualTo(1000);
    }

    @Test
    void pipelinedAppendsShareOneForce()
    {
        final PartitionLog log = open(context().flushPolicy(FlushPolicy.ALWAYS));
        final long forcesBefore = log.forceCount();
        long end = 0;
        for (int i = 0; i < 10; i++)
        {
            final UnsafeBuffer batch = TestBatches.batch(2, 100, now, i);
            end = log.append(batch, 0, batch.capacity(), 0) + 2;
        }
        log.commit(4);
        assertThat(log.durableOffset()).as("one force took everything appended").isEqualTo(end);
        log.commit(end);
        assertThat(log.forceCount() - forcesBefore).isEqualTo(1);
    }

    @Test
    void concurrentAppendersAreAllDurableWhenCommitReturns() throws Exception
    {
        final PartitionLog log = open(context().flushPolicy(FlushPolicy.ALWAYS).segmentBytes(1 << 20));
        final int threads = 4;
        final int perThread = 50;
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int id = t;
            final Thread thread = new Thread(() ->
            {
                try
                {
                    start.await();
                    for (int i = 0; i < perThread; i++)
                    {
                        final UnsafeBuffer batch = TestBatches.batch(1, 64, now, id * 1000L + i);
                        final long base = log.append(batch, 0, batch.capacity(), 0);
                        log.commit(base + 1);
                        if (log.durableOffset() < base + 1)
                        {
                            throw new AssertionError("commit returned before offset " + base + " was durable");
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            });
            workers.add(thread);
            thread.start();
        }
        start.countDown();
        for (final Thread thread : workers)
        {
            thread.join();
        }

        assertThat(failure.get()).isNull();
        assertThat(log.logEndOffset()).isEqualTo(threads * perThread);
        assertThat(log.forceCount()).isLessThanOrEqualTo(threads * perThread);
    }

    @Test
    void intervalPolicyForcesAfterTheConfiguredMessages()
    {
        final PartitionLog log = open(context().flushPolicy(FlushPolicy.INTERVAL).flushIntervalMessages(10)
            .flushIntervalMs(1_000_000));
        final long before = log.forceCount();
        for (int i = 0; i < 4; i++)
        {
            final UnsafeBuffer batch = TestBatches.batch(3, 10, now, i);
            log.append(batch, 0, batch.capacity(), 0);
        }
        assertThat(log.forceCount() - before).isEqualTo(1);
        assertThat(log.durableOffset()).isEqualTo(12);
    }

    @Test
    void leaderEpochsArePersistedWithThePartition()
    {
        final LogContext ctx = context();
        final PartitionLog first = open(ctx);
        final int[] epochs = { 1, 1, 3, 3, 7 };
        for (final int epoch : epochs)
        {
            final UnsafeBuffer batch = TestBatches.batch(2, 10, now, epoch);
            first.append(batch, 0, batch.capacity(), epoch);
        }
        final UnsafeBuffer stale = TestBatches.batch(1, 10, now, 0);
        assertThatThrownBy(() -> first.append(stale, 0, stale.capacity(), 6)).isInstanceOf(IllegalArgumentException.class);
        first.close();

        final PartitionLog log = open(ctx.clone());
        assertThat(log.leaderEpochCache().entries()).extracting(e -> e[0] + "@" + e[1])
            .containsExactly("1@0", "3@4", "7@8");
        assertThat(log.leaderEpochCache().endOffsetFor(1, log.logEndOffset())).isEqualTo(4);
        assertThat(log.leaderEpochCache().endOffsetFor(5, log.logEndOffset())).isEqualTo(8);
        assertThat(log.leaderEpochCache().endOffsetFor(7, log.logEndOffset())).isEqualTo(10);
        assertThat(log.leaderEpochCache().endOffsetFor(0, log.logEndOffset())).isEqualTo(LeaderEpochCache.UNDEFINED_OFFSET);
    }

    @Test
    void aCleanCloseMeansTheNextOpenScansNothing() throws Exception
    {
        final LogContext ctx = context();
        PartitionLog log = open(ctx);
        for (int i = 0; i < 100; i++)
        {
            final UnsafeBuffer batch = TestBatches.batch(3, 100, now, i);
            log.append(batch, 0, batch.capacity(), 0);
        }
        final List<byte[]> before = TestBatches.readAll(log);
        log.close();

        log = open(ctx.clone());
        assertThat(log.recoveryReport().events()).as(log.recoveryReport().toString()).isEmpty();
        assertThat(TestBatches.readAll(log)).containsExactlyElementsOf(before);
        assertThat(Files.readAllLines(tempDir.resolve("topic-0").resolve("recovery-point-offset-checkpoint")))
            .containsExactly("0", "1", "300");
    }

    @Test
    void appendsAfterReopenContinueTheSameSegment()
    {
        final LogContext ctx = context().segmentBytes(1 << 20);
        PartitionLog log = open(ctx);
        final UnsafeBuffer a = TestBatches.batch(3, 100, now, 1);
        log.append(a, 0, a.capacity(), 0);
        log.close();
        log = open(ctx.clone());
        for (int i = 0; i < 50; i++)
        {
            final UnsafeBuffer b = TestBatches.batch(3, 100, now, i);
            log.append(b, 0, b.capacity(), 0);
        }
        assertThat(log.segmentCount()).isEqualTo(1);
        final LogReadResult result = new LogReadResult();
        for (long offset = 0; offset < log.logEndOffset(); offset++)
        {
            assertThat(log.read(offset, 1, result)).isTrue();
            assertThat(result.firstOffset()).isEqualTo(offset - offset % 3);
        }
    }

    @Test
    void anEmptyLogClosesAndReopensCleanly()
    {
        final LogContext ctx = context();
        open(ctx).close();
        final PartitionLog log = open(ctx.clone());
        assertThat(log.recoveryReport().events()).as(log.recoveryReport().toString()).isEmpty();
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void anUnreadableCheckpointMeansRecoverEverything() throws Exception
    {
        final LogContext ctx = context();
        final PartitionLog first = open(ctx);
        for (int i = 0; i < 20; i++)
        {
            final UnsafeBuffer batch = TestBatches.batch(3, 100, now, i);
            first.append(batch, 0, batch.capacity(), 0);
        }
        first.close();
        Files.writeString(tempDir.resolve("topic-0").resolve("recovery-point-offset-checkpoint"), "garbage");

        final PartitionLog log = open(ctx.clone());
        final RecoveryReport report = log.recoveryReport();
        assertThat(report.count(RecoveryReport.Action.CHECKPOINT_IGNORED)).as(report.toString()).isEqualTo(1);
        assertThat(report.count(RecoveryReport.Action.SEGMENT_SCANNED)).as(report.toString()).isEqualTo(log.segmentCount());
        assertThat(report.lostData()).isFalse();
        assertThat(log.logEndOffset()).isEqualTo(60);
    }

    @Test
    void batchesBackToBackAreAppendedWithOneWriteAndEachIsIndexedAndReadable() throws Exception
    {
        final PartitionLog log = open(context().indexIntervalBytes(0));
        final UnsafeBuffer first = TestBatches.batch(2, 30, now, 1);
        log.append(first, 0, first.capacity(), 0);

        final List<UnsafeBuffer> batches = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            batches.add(TestBatches.batch(1 + i, 50, now + i, 10 + i));
        }
        final UnsafeBuffer region = TestBatches.concat(batches);

        assertThat(log.appendBatches(region, 0, region.capacity(), 4)).isEqualTo(2);
        assertThat(log.logEndOffset()).isEqualTo(2 + 1 + 2 + 3 + 4 + 5);
        assertThat(log.leaderEpochCache().endOffsetFor(0, log.logEndOffset())).isEqualTo(2);

        final List<byte[]> read = TestBatches.readAll(log);
        assertThat(read).hasSize(6);
        long base = 2;
        for (int i = 0; i < 5; i++)
        {
            assertThat(read.get(i + 1)).isEqualTo(TestBatches.stamped(batches.get(i), base, 4));
            base += i + 1;
        }
        final LogReadResult result = new LogReadResult();
        assertThat(log.read(9, 1, result)).isTrue();
        assertThat(result.firstOffset()).as("offset 9 is in the batch of 4 records at 8").isEqualTo(8);
    }

    @Test
    void oneBadBatchAmongSeveralRejectsThemAll()
    {
        final PartitionLog log = open(context());
        final UnsafeBuffer good = TestBatches.batch(3, 50, now, 1);
        final UnsafeBuffer bad = TestBatches.batch(3, 50, now, 2);
        bad.putByte(bad.capacity() - 2, (byte)(bad.getByte(bad.capacity() - 2) ^ 1));
        final UnsafeBuffer region = new UnsafeBuffer(new byte[good.capacity() * 2 + 10]);
        region.putBytes(0, good, 0, good.capacity());
        region.putBytes(good.capacity(), bad, 0, bad.capacity());

        assertThatThrownBy(() -> log.appendBatches(region, 0, good.capacity() * 2, 0))
            .isInstanceOfSatisfying(InvalidBatchException.class, e -> assertThat(e.error()).isEqualTo(BatchError.BAD_CRC));
        assertThatThrownBy(() -> log.appendBatches(region, 0, good.capacity() + 10, 0))
            .isInstanceOf(InvalidBatchException.class);
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.sizeInBytes()).isZero();
    }
}
