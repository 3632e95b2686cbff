package io.swimlog.benchmarks.storage;

import io.swimlog.protocol.record.RecordBatchBuilder;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Shared set-up of the storage benchmarks: where their data goes and how their batches are built.
 * <p>
 * Data goes under {@code -Dswimlog.bench.dir} (default: the temp dir), in a fresh directory each benchmark
 * deletes in its tear-down.
 */
final class StorageBenchmarkSupport
{
    /**
     * Batch size of the figures: 16 KiB, as a producer's default batch would be.
     */
    static final int BATCH_BYTES = 16 * 1024;

    static final String[] JVM_ARGS = {
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "-Xms1g", "-Xmx1g" };

    private StorageBenchmarkSupport()
    {
    }

    static File newDirectory(final String name) throws IOException
    {
        final Path base = Path.of(System.getProperty("swimlog.bench.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        return Files.createTempDirectory(base, name).toFile();
    }

    static void deleteDirectory(final File dir) throws IOException
    {
        if (null == dir || !dir.exists())
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir.toPath()))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Fill a direct buffer with one batch of as many {@code recordSize}-byte values as fit in
     * {@link #BATCH_BYTES}.
     *
     * @return the batch length; the record count is {@code builder.recordCount()}.
     */
    static int buildBatch(final UnsafeBuffer buffer, final RecordBatchBuilder builder, final int recordSize)
    {
        final Random random = new Random(42);
        final byte[] value = new byte[recordSize];
        random.nextBytes(value);
        final UnsafeBuffer valueBuffer = new UnsafeBuffer(value);
        builder.wrap(buffer, 0, BATCH_BYTES);
        long timestamp = 1_700_000_000_000L;
        while (builder.tryAppend(timestamp++, null, 0, 0, valueBuffer, 0, recordSize))
        {
            random.nextBytes(value);
        }
        return builder.build();
    }

    static UnsafeBuffer newBatchBuffer()
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(BATCH_BYTES, 4096));
    }
}
