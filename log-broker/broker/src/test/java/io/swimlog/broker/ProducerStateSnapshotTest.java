package io.swimlog.broker;

import io.swimlog.protocol.record.RecordBatchBuilder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Producer-state snapshots: an open reads only the log after the newest usable snapshot, a corrupt snapshot or one
 * beyond the recovered log is ignored, and either way the rebuilt state answers retries exactly as before.
 */
@Timeout(60)
class ProducerStateSnapshotTest
{
    private static final long PRODUCER = 42;
    private static final int RECORDS_PER_BATCH = 10;

    @TempDir
    File dataDir;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[1000]);
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private int nextSequence;

    @Test
    void aCleanCloseSnapshotsSoTheNextOpenReadsNoBatches()
    {
        final File dir = new File(dataDir, "t-0");
        try (Partition partition = open(dir))
        {
            appendBatches(partition, 20);
        }
        assertThat(ProducerStateSnapshot.offsets(dir)).isNotEmpty();

        try (Partition partition = open(dir))
        {
            assertThat(partition.rebuildBatches()).isZero();
            assertThat(partition.rebuildStartOffset()).isEqualTo(20L * RECORDS_PER_BATCH);
            assertRetriesAreRecognised(partition, 20);
        }
    }

    @Test
    void aRollSnapshotsSoACrashReadsOnlyTheBatchesAfterIt() throws IOException
    {
        final File dir = new File(dataDir, "t-0");
        final Partition partition = open(dir);
        long activeBase = partition.log().activeSegmentBaseOffset();
        int batches = 0;
        int sinceSnapshot = 0;
        while (partition.log().segmentCount() < 3 || sinceSnapshot < 5)
        {
            appendBatches(partition, 1);
            batches++;
            partition.snapshotIfRolled();
            sinceSnapshot++;
            if (partition.log().activeSegmentBaseOffset() != activeBase)
            {
                activeBase = partition.log().activeSegmentBaseOffset();
                sinceSnapshot = 0; // the snapshot taken at the roll covers the batch that rolled the log
            }
        }
        // A crash: the log is closed but the partition never is, so no snapshot is taken at the end.
        partition.log().close();
        assertThat(ProducerStateSnapshot.offsets(dir)).hasSizeLessThanOrEqualTo(ProducerStateSnapshot.RETAINED);

        try (Partition reopened = open(dir))
        {
            assertThat(reopened.rebuildBatches()).isEqualTo(sinceSnapshot);
            assertRetriesAreRecognised(reopened, batches);
        }
    }

    @Test
    void aCorruptSnapshotIsDeletedAndTheStateRebuiltFromTheLog() throws IOException
    {
        final File snapshot = appendAndClose(8);
        final File dir = snapshot.getParentFile();
        try (RandomAccessFile file = new RandomAccessFile(snapshot, "rw"))
        {
            file.seek(30);
            final int b = file.read();
            file.seek(30);
            file.write(b ^ 0x01);
        }

        try (Partition partition = open(dir))
        {
            assertThat(partition.rebuildStartOffset()).isZero();
            assertThat(partition.rebuildBatches()).isEqualTo(8);
            assertRetriesAreRecognised(partition, 8);
        }
    }

    @Test
    void aSnapshotBeyondTheRecoveredLogIsNotUsed() throws IOException
    {
        final File snapshot = appendAndClose(5);
        final File dir = snapshot.getParentFile();
        // As if the log had lost its tail in a crash after this snapshot was written: a state that claims a
        // batch the log no longer has must not be loaded.
        final ProducerStateTable ahead = new ProducerStateTable();
        ahead.update(PRODUCER, (short)0, 0, 999, 0);
        ProducerStateSnapshot.write(dir, 10_000, ahead);

        try (Partition partition = open(dir))
        {
            assertThat(ProducerStateSnapshot.file(dir, 10_000)).doesNotExist();
            assertThat(partition.rebuildStartOffset()).isEqualTo(5L * RECORDS_PER_BATCH);
            assertRetriesAreRecognised(partition, 5);
        }
    }

    @Test
    void aTruncatedSnapshotFileIsIgnored() throws IOException
    {
        final File snapshot = appendAndClose(3);
        final File dir = snapshot.getParentFile();
        final byte[] bytes = Files.readAllBytes(snapshot.toPath());
        Files.write(snapshot.toPath(), java.util.Arrays.copyOf(bytes, bytes.length / 2));

        try (Partition partition = open(dir))
        {
            assertThat(partition.rebuildBatches()).isEqualTo(3);
            assertRetriesAreRecognised(partition, 3);
        }
    }

    private void assertRetriesAreRecognised(final Partition partition, final int batches)
    {
        final ProducerStateTable producers = partition.producers();
        final int lastFirst = (batches - 1) * RECORDS_PER_BATCH;
        assertThat(producers.check(PRODUCER, (short)0, lastFirst, lastFirst + RECORDS_PER_BATCH - 1))
            .isEqualTo(ProducerStateTable.DUPLICATE);
        assertThat(producers.duplicateBaseOffset()).isEqualTo((long)lastFirst);
        assertThat(producers.check(PRODUCER, (short)0, batches * RECORDS_PER_BATCH, batches * RECORDS_PER_BATCH))
            .isEqualTo(ProducerStateTable.APPEND);
    }

    /**
     * @return the newest snapshot after appending the batches to a new partition and closing it cleanly.
     */
    private File appendAndClose(final int batches)
    {
        final File dir = new File(dataDir, "t-0");
        try (Partition partition = open(dir))
        {
            appendBatches(partition, batches);
        }
        final long[] offsets = ProducerStateSnapshot.offsets(dir);
        assertThat(offsets).isNotEmpty();
        return ProducerStateSnapshot.file(dir, offsets[offsets.length - 1]);
    }

    private Partition open(final File dir)
    {
        final BrokerContext ctx = new BrokerContext()
            .nodeId("snapshot-test")
            .bind("127.0.0.1:9") // never bound: a partition opens only its log
            .dataDir(dataDir)
            .segmentBytes(1024 * 1024);
        ctx.conclude();
        return new Partition("t", 0, dir, ctx);
    }

    private void appendBatches(final Partition partition, final int count)
    {
        for (int b = 0; b < count; b++)
        {
            builder.wrap(buffer, 0, buffer.capacity()).producer(PRODUCER, (short)0, nextSequence);
            for (int r = 0; r < RECORDS_PER_BATCH; r++)
            {
                assertThat(builder.tryAppend(1_000L, null, 0, 0, value, 0, value.capacity())).isTrue();
            }
            final int length = builder.build();
            final long baseOffset = partition.log().append(buffer, 0, length, Partition.LEADER_EPOCH);
            partition.producers().update(PRODUCER, (short)0, nextSequence, nextSequence + RECORDS_PER_BATCH - 1,
                baseOffset);
            nextSequence += RECORDS_PER_BATCH;
        }
    }
}
