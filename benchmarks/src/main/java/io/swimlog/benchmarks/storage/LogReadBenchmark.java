package io.swimlog.benchmarks.storage;

import io.swimlog.protocol.record.RecordBatchBuilder;
import io.swimlog.storage.FlushPolicy;
import io.swimlog.storage.LogContext;
import io.swimlog.storage.LogReadResult;
import io.swimlog.storage.PartitionLog;
import org.agrona.BufferUtil;
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
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Read throughput of a partition log: a consumer reading a 256 MiB segment of 16 KiB batches (1 KiB records)
 * front to back, {@code readBytes} per read, copied into a direct buffer (as a fetch copies into an Aeron
 * term; a {@code transferTo} to a socket would skip even that copy).
 * <ul>
 * <li>{@code readSegmentWarm}: one op = the whole segment, page cache hot. MB/s = 268.4 / (s/op).</li>
 * <li>{@code readSegmentCold}: one op = the whole segment after the segment file was dropped from the page
 *     cache ({@code dd iflag=nocache}, i.e. posix_fadvise DONTNEED), so it comes from the device.</li>
 * <li>{@code readOne}: one op = one read of {@code readBytes} (hot), for allocation per read with -prof gc.</li>
 * </ul>
 */
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
    "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class LogReadBenchmark
{
    static final long SEGMENT_BYTES = 256L * 1024 * 1024;

    @Param({ "1048576" })
    public int readBytes;

    PartitionLog log;
    File dir;
    File segmentFile;
    final LogReadResult result = new LogReadResult();
    ByteBuffer destination;
    long nextOffset;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        dir = StorageBenchmarkSupport.newDirectory("swimlog-read");
        log = PartitionLog.open(new LogContext()
            .directory(dir)
            .segmentBytes((int)SEGMENT_BYTES + 1024 * 1024)
            .flushPolicy(FlushPolicy.NEVER));
        final UnsafeBuffer batch = StorageBenchmarkSupport.newBatchBuffer();
        final int length = StorageBenchmarkSupport.buildBatch(batch, new RecordBatchBuilder(), 1024);
        while (log.sizeInBytes() + length <= SEGMENT_BYTES)
        {
            log.append(batch, 0, length, 0);
        }
        log.flush();
        segmentFile = new File(dir, "00000000000000000000.log");
        destination = BufferUtil.allocateDirectAligned(Math.max(readBytes, 64 * 1024) * 2, 4096);
        System.out.println("\n# segment " + segmentFile + " " + segmentFile.length() + " bytes, " + log.logEndOffset() +
            " records");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        log.close();
        StorageBenchmarkSupport.deleteDirectory(dir);
    }

    /**
     * Cold state: the segment's pages are dropped from the page cache before every op.
     */
    @State(Scope.Benchmark)
    public static class Cold
    {
        @Setup(Level.Invocation)
        public void dropPageCache(final LogReadBenchmark bench) throws Exception
        {
            final Process dd = new ProcessBuilder(
                "dd", "if=" + bench.segmentFile.getPath(), "iflag=nocache", "count=0", "status=none")
                .redirectErrorStream(true).start();
            if (!dd.waitFor(30, TimeUnit.SECONDS) || 0 != dd.exitValue())
            {
                throw new IllegalStateException("dd iflag=nocache failed: " + new String(dd.getInputStream().readAllBytes()));
            }
        }
    }

    private long readAll() throws IOException
    {
        long offset = log.logStartOffset();
        long bytes = 0;
        final long end = log.logEndOffset();
        while (offset < end && log.read(offset, readBytes, result))
        {
            destination.clear();
            bytes += result.readInto(destination);
            offset = result.nextOffset();
        }
        return bytes;
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3, batchSize = 1)
    @Measurement(iterations = 5, batchSize = 1)
    public long readSegmentWarm() throws IOException
    {
        return readAll();
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3, batchSize = 1)
    @Measurement(iterations = 5, batchSize = 1)
    public long readSegmentCold(final Cold cold) throws IOException
    {
        return readAll();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 2)
    public long readOne() throws IOException
    {
        if (nextOffset >= log.logEndOffset())
        {
            nextOffset = 0;
        }
        log.read(nextOffset, readBytes, result);
        destination.clear();
        final int n = result.readInto(destination);
        nextOffset = result.nextOffset();
        return n;
    }
}
