package io.swimlog.storage;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Damage the files of a closed log the way crashes and bad disks do, reopen it, and check that recovery cuts
 * exactly the damaged batch and what follows, rebuilds what is missing, and says so in its report.
 */
@Timeout(30)
class LogRecoveryTest
{
    private static final int BATCHES_PER_SEGMENT = 10;
    private static final int SEGMENTS = 3;

    enum Where
    {
        START, MIDDLE, END
    }

    @TempDir
    Path tempDir;

    private LogContext ctx;
    private int batchSize;
    private final List<byte[]> appended = new ArrayList<>();

    private PartitionLog writeLog()
    {
        final UnsafeBuffer probe = TestBatches.batch(4, 200, 5_000, 0);
        batchSize = probe.capacity();
        ctx = new LogContext()
            .directory(tempDir.resolve("p").toFile())
            .segmentBytes(batchSize * BATCHES_PER_SEGMENT + 10)
            .indexIntervalBytes(batchSize)
            .maxIndexBytes(4096);
        final PartitionLog log = PartitionLog.open(ctx.clone());
        for (int i = 0; i < BATCHES_PER_SEGMENT * SEGMENTS; i++)
        {
            final UnsafeBuffer batch = TestBatches.batch(4, 200, 5_000 + i, i);
            log.append(batch, 0, batch.capacity(), 0);
            appended.add(batch.byteArray().clone());
        }
        assertThat(log.segmentCount()).isEqualTo(SEGMENTS);
        log.close();
        return log;
    }

    private File segmentFile(final int segment, final String suffix)
    {
        return new File(ctx.directory(), String.format("%020d", (long)segment * BATCHES_PER_SEGMENT * 4) + suffix);
    }

    /**
     * As if the process had crashed with its last checkpoint before the damaged segment.
     */
    private void setRecoveryPointTo(final int segment) throws Exception
    {
        Files.writeString(new File(ctx.directory(), "recovery-point-offset-checkpoint").toPath(),
            "0\n1\n" + ((long)segment * BATCHES_PER_SEGMENT * 4) + "\n");
    }

    private int damagePosition(final Where where)
    {
        return switch (where)
        {
            case START -> 30;
            case MIDDLE -> 5 * batchSize + batchSize / 2;
            case END -> BATCHES_PER_SEGMENT * batchSize - 20;
        };
    }

    private static int keptBatches(final int position, final int batchSize)
    {
        return position / batchSize;
    }

    private PartitionLog reopenAndCheck(final int damagedSegment, final int keptInSegment) throws Exception
    {
        final PartitionLog log = PartitionLog.open(ctx.clone());
        final RecoveryReport report = log.recoveryReport();
        final int expectedBatches = damagedSegment * BATCHES_PER_SEGMENT + keptInSegment;

        assertThat(log.logEndOffset()).as(report.toString()).isEqualTo(expectedBatches * 4L);
        assertThat(report.count(RecoveryReport.Action.SEGMENT_TRUNCATED)).as(report.toString()).isEqualTo(1);
        assertThat(report.count(RecoveryReport.Action.SEGMENT_DELETED)).as(report.toString())
            .isEqualTo(SEGMENTS - 1 - damagedSegment);
        assertThat(report.toString()).contains("segment " + damagedSegment * BATCHES_PER_SEGMENT * 4);

        final List<byte[]> read = TestBatches.readAll(log);
        assertThat(read).hasSize(expectedBatches);
        for (int i = 0; i < expectedBatches; i++)
        {
            assertThat(read.get(i)).isEqualTo(appended.get(i));
        }

        final UnsafeBuffer next = TestBatches.batch(1, 10, 9_999, 77);
        assertThat(log.append(next, 0, next.capacity(), 0)).as("appends continue at the new end").isEqualTo(expectedBatches * 4L);
        return log;
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void flippedByteTruncatesFromTheDamagedBatch(final Where where) throws Exception
    {
        writeLog();
        final int position = damagePosition(where);
        try (RandomAccessFile file = new RandomAccessFile(segmentFile(1, ".log"), "rw"))
        {
            file.seek(position);
            final int b = file.read();
            file.seek(position);
            file.write(b ^ 0x10);
        }
        setRecoveryPointTo(1);

        reopenAndCheck(1, keptBatches(position, batchSize)).close();
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void truncatedFileLosesOnlyThePartialBatch(final Where where) throws Exception
    {
        writeLog();
        final int position = damagePosition(where);
        try (RandomAccessFile file = new RandomAccessFile(segmentFile(2, ".log"), "rw"))
        {
            file.setLength(position);
        }
        setRecoveryPointTo(2);

        reopenAndCheck(2, keptBatches(position, batchSize)).close();
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void zeroFilledTailIsCut(final Where where) throws Exception
    {
        writeLog();
        final int position = damagePosition(where);
        try (RandomAccessFile file = new RandomAccessFile(segmentFile(2, ".log"), "rw"))
        {
            final long length = file.length();
            file.seek(position);
            file.write(new byte[(int)(length - position) + 4096]);
        }
        setRecoveryPointTo(2);

        reopenAndCheck(2, keptBatches(position, batchSize)).close();
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void deletedIndexFilesAreRebuiltWithoutLosingData(final Where where) throws Exception
    {
        writeLog();
        final int segment = where.ordinal();
        Files.delete(segmentFile(segment, ".index").toPath());
        Files.delete(segmentFile(segment, ".timeindex").toPath());

        final PartitionLog log = PartitionLog.open(ctx.clone());
        final RecoveryReport report = log.recoveryReport();
        assertThat(report.lostData()).as(report.toString()).isFalse();
        assertThat(report.count(RecoveryReport.Action.INDEX_REBUILT) + report.count(RecoveryReport.Action.SEGMENT_SCANNED))
            .as(report.toString()).isEqualTo(1);
        assertThat(segmentFile(segment, ".index")).exists();
        assertThat(log.logEndOffset()).isEqualTo(SEGMENTS * BATCHES_PER_SEGMENT * 4L);

        final LogReadResult result = new LogReadResult();
        for (long offset = 0; offset < log.logEndOffset(); offset++)
        {
            assertThat(log.read(offset, 1, result)).isTrue();
            assertThat(result.firstOffset()).isEqualTo(offset - offset % 4);
        }
        assertThat(log.offsetForTimestamp(5_000 + 15, result)).as("batch 12's last record").isEqualTo(12 * 4 + 3);
        log.close();

        final PartitionLog again = PartitionLog.open(ctx.clone());
        assertThat(again.recoveryReport().events()).as("rebuilt index was persisted").isEmpty();
        again.close();
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void corruptIndexEntriesAreDetectedAndRebuilt(final Where where) throws Exception
    {
        writeLog();
        final File index = segmentFile(0, ".index");
        final long length = index.length();
        final long position = switch (where)
        {
            case START -> 0;
            case MIDDLE -> length / 2 - (length / 2) % 8;
            case END -> length - 8;
        };
        try (RandomAccessFile file = new RandomAccessFile(index, "rw"))
        {
            file.seek(position + 4);
            file.writeInt(0x7FFF0000);
        }

        final PartitionLog log = PartitionLog.open(ctx.clone());
        assertThat(log.recoveryReport().count(RecoveryReport.Action.INDEX_REBUILT)).as(log.recoveryReport().toString())
            .isEqualTo(1);
        assertThat(TestBatches.readAll(log)).hasSize(appended.size());
        log.close();
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void leftoverFilesAreRemovedAndReported(final Where where) throws Exception
    {
        writeLog();
        final String name = switch (where)
        {
            case START -> "recovery-point-offset-checkpoint.tmp";
            case MIDDLE -> String.format("%020d", 999_999L) + ".index";
            case END -> String.format("%020d", 999_999L) + ".timeindex";
        };
        Files.writeString(new File(ctx.directory(), name).toPath(), "x");

        final PartitionLog log = PartitionLog.open(ctx.clone());
        assertThat(log.recoveryReport().count(RecoveryReport.Action.STRAY_FILE_DELETED)).isEqualTo(1);
        assertThat(new File(ctx.directory(), name)).doesNotExist();
        log.close();
    }
}
