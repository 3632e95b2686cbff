package io.swimlog.benchmarks.storage;

import io.swimlog.protocol.record.RecordBatchBuilder;
import io.swimlog.storage.FlushPolicy;
import io.swimlog.storage.LogContext;
import io.swimlog.storage.PartitionLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.File;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Append throughput of a partition log: 16 KiB batches of 100-byte or 1 KiB records.
 * <ul>
 * <li>{@code appendNoFlush}: flush=never, one appender; every op is one batch.</li>
 * <li>{@code appendGroupCommitPipelined}: flush=always, one appender that appends
 *     {@code batchesPerCommit} batches and commits once (the broker's duty cycle over several producers'
 *     requests); every op is one batch.</li>
 * <li>{@code appendGroupCommitConcurrent}: flush=always, 4 threads that each append one batch and commit it;
 *     forces coalesce across threads; every op is one batch.</li>
 * <li>{@code appendBatchesNoFlush} and {@code appendBatchesGroupCommit}: the same 16 KiB batches, but
 *     {@code batchesPerWrite} of them back to back per {@code appendBatches} call (a produce request carrying
 *     several batches, a follower's fetch), so one write (and with flush=always one fsync) covers them all.</li>
 * </ul>
 * JMH prints {@code bytes} and {@code records} per second as auxiliary counters; one op of the pipelined
 * benchmark is one commit of {@code batchesPerCommit} batches. Each iteration starts from an empty log, so that
 * what is measured is writing, not an ever larger page cache.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
    "-Xms1g", "-Xmx1g" })
public class LogAppendBenchmark
{
    @State(Scope.Benchmark)
    public static class LogState
    {
        @Param({ "100", "1024" })
        public int recordSize;

        PartitionLog log;
        File dir;
        int batchBytes;
        int recordsPerBatch;

        void open(final FlushPolicy policy) throws IOException
        {
            dir = StorageBenchmarkSupport.newDirectory("swimlog-append");
            log = PartitionLog.open(new LogContext()
                .directory(dir)
                .segmentBytes(256 * 1024 * 1024)
                .flushPolicy(policy)
                .retentionBytes(-1));
            final UnsafeBuffer probe = StorageBenchmarkSupport.newBatchBuffer();
            final RecordBatchBuilder builder = new RecordBatchBuilder();
            batchBytes = StorageBenchmarkSupport.buildBatch(probe, builder, recordSize);
            recordsPerBatch = builder.recordCount();
            System.out.println("\n# recordSize=" + recordSize + " batchBytes=" + batchBytes +
                " recordsPerBatch=" + recordsPerBatch + " policy=" + policy + " dir=" + dir);
        }

        @Setup(Level.Iteration)
        public void emptyLog()
        {
            if (null != log)
            {
                log.truncateTo(0);
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException
        {
            log.close();
            StorageBenchmarkSupport.deleteDirectory(dir);
        }
    }

    @State(Scope.Benchmark)
    public static class NeverFlushLog extends LogState
    {
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            open(FlushPolicy.NEVER);
        }
    }

    @State(Scope.Benchmark)
    public static class AlwaysFlushLog extends LogState
    {
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            open(FlushPolicy.ALWAYS);
        }
    }

    /**
     * Each appender's own batch: producers build their own batches, and the log stamps offsets into them.
     */
    public abstract static class Batch
    {
        UnsafeBuffer buffer;
        int length;

        void build(final int recordSize)
        {
            buffer = StorageBenchmarkSupport.newBatchBuffer();
            length = StorageBenchmarkSupport.buildBatch(buffer, new RecordBatchBuilder(), recordSize);
        }
    }

    @State(Scope.Thread)
    public static class NeverFlushBatch extends Batch
    {
        @Setup(Level.Trial)
        public void setUp(final NeverFlushLog log)
        {
            build(log.recordSize);
        }
    }

    @State(Scope.Thread)
    public static class AlwaysFlushBatch extends Batch
    {
        @Setup(Level.Trial)
        public void setUp(final AlwaysFlushLog log)
        {
            build(log.recordSize);
        }
    }

    /**
     * How many batches the pipelined appender commits at once: 16 x 16 KiB = 256 KiB or 64 x 16 KiB = 1 MiB
     * per fsync.
     */
    @State(Scope.Benchmark)
    public static class Pipeline
    {
        @Param({ "16", "64" })
        public int batchesPerCommit;
    }

    /**
     * Batches laid back to back for {@code appendBatches}: 16 (256 KiB per write) or 64 (1 MiB per write).
     */
    @State(Scope.Thread)
    public static class Region
    {
        @Param({ "16", "64" })
        public int batchesPerWrite;

        UnsafeBuffer buffer;
        int length;
        int records;

        void build(final int recordSize)
        {
            final UnsafeBuffer one = StorageBenchmarkSupport.newBatchBuffer();
            final RecordBatchBuilder builder = new RecordBatchBuilder();
            final int batchLength = StorageBenchmarkSupport.buildBatch(one, builder, recordSize);
            buffer = new UnsafeBuffer(org.agrona.BufferUtil.allocateDirectAligned(batchLength * batchesPerWrite, 4096));
            for (int i = 0; i < batchesPerWrite; i++)
            {
                buffer.putBytes(i * batchLength, one, 0, batchLength);
            }
            length = batchLength * batchesPerWrite;
            records = builder.recordCount() * batchesPerWrite;
        }
    }

    @State(Scope.Thread)
    public static class NeverFlushRegion extends Region
    {
        @Setup(Level.Trial)
        public void setUp(final NeverFlushLog log)
        {
            build(log.recordSize);
        }
    }

    @State(Scope.Thread)
    public static class AlwaysFlushRegion extends Region
    {
        @Setup(Level.Trial)
        public void setUp(final AlwaysFlushLog log)
        {
            build(log.recordSize);
        }
    }

    /**
     * Bytes and records appended, so JMH prints them per second beside the ops.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Volume
    {
        public long bytes;
        public long records;

        @Setup(Level.Iteration)
        public void reset()
        {
            bytes = 0;
            records = 0;
        }
    }

    @Benchmark
    public long appendNoFlush(final NeverFlushLog state, final NeverFlushBatch batch, final Volume volume)
    {
        final long base = state.log.append(batch.buffer, 0, batch.length, 0);
        volume.bytes += batch.length;
        volume.records += state.recordsPerBatch;
        return base;
    }

    @Benchmark
    public long appendGroupCommitPipelined(
        final AlwaysFlushLog state, final AlwaysFlushBatch batch, final Pipeline pipeline, final Volume volume)
    {
        final PartitionLog log = state.log;
        final int n = pipeline.batchesPerCommit;
        long base = 0;
        for (int i = 0; i < n; i++)
        {
            base = log.append(batch.buffer, 0, batch.length, 0);
        }
        log.commit(log.logEndOffset());
        volume.bytes += (long)batch.length * n;
        volume.records += (long)state.recordsPerBatch * n;
        return base;
    }

    @Benchmark
    @Threads(4)
    public long appendGroupCommitConcurrent(final AlwaysFlushLog state, final AlwaysFlushBatch batch, final Volume volume)
    {
        final PartitionLog log = state.log;
        final long base = log.append(batch.buffer, 0, batch.length, 0);
        log.commit(base + state.recordsPerBatch);
        volume.bytes += batch.length;
        volume.records += state.recordsPerBatch;
        return base;
    }

    @Benchmark
    public long appendBatchesNoFlush(final NeverFlushLog state, final NeverFlushRegion region, final Volume volume)
    {
        final long base = state.log.appendBatches(region.buffer, 0, region.length, 0);
        volume.bytes += region.length;
        volume.records += region.records;
        return base;
    }

    @Benchmark
    public long appendBatchesGroupCommit(final AlwaysFlushLog state, final AlwaysFlushRegion region, final Volume volume)
    {
        final PartitionLog log = state.log;
        final long base = log.appendBatches(region.buffer, 0, region.length, 0);
        log.commit(base + region.records);
        volume.bytes += region.length;
        volume.records += region.records;
        return base;
    }
}
