package io.swimlog.storage;

import io.swimlog.protocol.record.RecordBatch;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The append, commit, read and look-up paths allocate nothing once warm: measured on this thread alone with
 * the JVM's per-thread allocation counter, so other threads (and JMH's own) do not blur it.
 */
@Timeout(60)
class SteadyStateAllocationTest
{
    @TempDir
    Path tempDir;

    @Test
    void appendCommitReadAndLookUpAllocateNothingOnceWarm() throws Exception
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        final long threadId = Thread.currentThread().getId();

        final UnsafeBuffer heapBatch = TestBatches.batch(20, 100, 1_000, 1);
        final UnsafeBuffer batch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
        batch.putBytes(0, heapBatch, 0, heapBatch.capacity());
        final int length = heapBatch.capacity();
        final LogReadResult result = new LogReadResult();
        final ByteBuffer destination = ByteBuffer.allocateDirect(64 * 1024);

        try (PartitionLog log = PartitionLog.open(new LogContext()
            .directory(tempDir.toFile())
            .segmentBytes(512 * 1024 * 1024)
            .flushPolicy(FlushPolicy.ALWAYS)))
        {
            final int rounds = 20_000;
            long allocated = 0;
            for (int pass = 0; pass < 3; pass++)
            {
                final long before = threads.getThreadAllocatedBytes(threadId);
                for (int i = 0; i < rounds; i++)
                {
                    final long base = log.append(batch, 0, length, 0);
                    if ((i & 255) == 255)
                    {
                        log.commit(base + 20);
                    }
                    log.read(base, 64 * 1024, result);
                    destination.clear();
                    result.readInto(destination);
                    log.positionOf(base / 2, result);
                }
                allocated = threads.getThreadAllocatedBytes(threadId) - before;
            }

            assertThat(RecordBatch.baseOffset(batch, 0)).isEqualTo(log.logEndOffset() - 20);
            assertThat(allocated).as("bytes allocated by %d append+read+look-up rounds once warm", rounds)
                .isLessThan(1024);
        }
    }
}
