package io.swimlog.benchmarks.storage;

import io.swimlog.protocol.record.RecordBatchBuilder;
import io.swimlog.storage.FlushPolicy;
import io.swimlog.storage.LogContext;
import io.swimlog.storage.LogReadResult;
import io.swimlog.storage.PartitionLog;
import org.agrona.concurrent.UnsafeBuffer;
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
import org.openjdk.jmh.annotations.Warmup;

import java.io.File;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Latency of finding the file position of an offset: segment binary search, offset index look-up (warm tail
 * first), then reading batch headers from the indexed position to the batch holding the offset.
 * <ul>
 * <li>{@code lookupRandom}: uniformly random offsets over 256 MiB in 64 MiB segments (16 KiB batches of
 *     100-byte records, index every 4 KiB, so about one header read per look-up).</li>
 * <li>{@code lookupTail}: offsets in the last 1% of the log, where consumers that keep up read.</li>
 * </ul>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
    "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class OffsetLookupBenchmark
{
    @Param({ "4096" })
    public int indexIntervalBytes;

    PartitionLog log;
    File dir;
    final LogReadResult result = new LogReadResult();
    long[] randomOffsets;
    long[] tailOffsets;
    int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        dir = StorageBenchmarkSupport.newDirectory("swimlog-lookup");
        log = PartitionLog.open(new LogContext()
            .directory(dir)
            .segmentBytes(64 * 1024 * 1024)
            .indexIntervalBytes(indexIntervalBytes)
            .flushPolicy(FlushPolicy.NEVER));
        final UnsafeBuffer batch = StorageBenchmarkSupport.newBatchBuffer();
        final int length = StorageBenchmarkSupport.buildBatch(batch, new RecordBatchBuilder(), 100);
        while (log.sizeInBytes() < 256L * 1024 * 1024)
        {
            log.append(batch, 0, length, 0);
        }

        final Random random = new Random(7);
        final long end = log.logEndOffset();
        randomOffsets = new long[1 << 16];
        tailOffsets = new long[1 << 16];
        for (int i = 0; i < randomOffsets.length; i++)
        {
            randomOffsets[i] = (long)(random.nextDouble() * end);
            tailOffsets[i] = end - 1 - (long)(random.nextDouble() * end / 100);
        }
        System.out.println("\n# " + log.segmentCount() + " segments, " + end + " records");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        log.close();
        StorageBenchmarkSupport.deleteDirectory(dir);
    }

    @Benchmark
    public long lookupRandom()
    {
        final int i = next++ & (randomOffsets.length - 1);
        return log.positionOf(randomOffsets[i], result);
    }

    @Benchmark
    public long lookupTail()
    {
        final int i = next++ & (tailOffsets.length - 1);
        return log.positionOf(tailOffsets[i], result);
    }
}
