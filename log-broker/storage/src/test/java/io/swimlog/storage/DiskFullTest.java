package io.swimlog.storage;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fills a 1 MiB tmpfs (mounted by the test; skipped where mounting is not allowed): appends must fail with a
 * clear error, leave the log consistent and readable, and work again once space is freed; a reopen finds every
 * acknowledged batch.
 */
class DiskFullTest
{
    @TempDir
    Path tempDir;

    @Test
    @Timeout(60)
    void appendsFailCleanlyWhenTheDiskIsFullAndResumeWhenSpaceReturns() throws Exception
    {
        final File mountPoint = tempDir.resolve("tmpfs").toFile();
        assertThat(mountPoint.mkdirs()).isTrue();
        final String mountError = run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.getPath());
        Assumptions.assumeTrue(null == mountError,
            "skipped: cannot mount a tmpfs to fill (needs root and mount rights): " + mountError);

        try
        {
            final File filler = new File(mountPoint, "filler");
            Files.write(filler.toPath(), new byte[256 * 1024]);

            final LogContext ctx = new LogContext()
                .directory(new File(mountPoint, "p"))
                .segmentBytes(128 * 1024)
                .indexIntervalBytes(4096)
                .maxIndexBytes(4096)
                .flushPolicy(FlushPolicy.ALWAYS);
            final List<byte[]> acknowledged = new ArrayList<>();
            StorageException failure = null;
            try (PartitionLog log = PartitionLog.open(ctx.clone()))
            {
                for (int i = 0; i < 1000 && null == failure; i++)
                {
                    final UnsafeBuffer batch = TestBatches.batch(8, 1000, 1_000 + i, i);
                    final long endBefore = log.logEndOffset();
                    try
                    {
                        final long base = log.append(batch, 0, batch.capacity(), 0);
                        log.commit(base + 8);
                        acknowledged.add(batch.byteArray().clone());
                    }
                    catch (final StorageException ex)
                    {
                        failure = ex;
                        assertThat(log.logEndOffset()).as("end offset unchanged by a failed append").isEqualTo(endBefore);
                    }
                }
                if (null == failure)
                {
                    fail("a 1 MiB tmpfs never filled up");
                }
                System.out.println("disk full after " + acknowledged.size() + " batches: " + failure.getMessage());
                assertThat(failure.getMessage()).containsAnyOf("No space left on device", "cannot roll");

                assertThat(TestBatches.readAll(log)).as("the log is still readable").hasSize(acknowledged.size());
                final UnsafeBuffer again = TestBatches.batch(8, 1000, 5_000, 5);
                try
                {
                    log.append(again, 0, again.capacity(), 0);
                    fail("append succeeded on a full disk");
                }
                catch (final StorageException expected)
                {
                    assertThat(log.logEndOffset()).isEqualTo(acknowledged.size() * 8L);
                }

                Files.delete(filler.toPath());
                for (int i = 0; i < 10; i++)
                {
                    final UnsafeBuffer batch = TestBatches.batch(8, 1000, 9_000 + i, 1000 + i);
                    final long base = log.append(batch, 0, batch.capacity(), 0);
                    log.commit(base + 8);
                    acknowledged.add(batch.byteArray().clone());
                }
                assertThat(TestBatches.readAll(log)).hasSize(acknowledged.size());
            }

            try (PartitionLog reopened = PartitionLog.open(ctx.clone()))
            {
                assertThat(reopened.recoveryReport().lostData()).as(reopened.recoveryReport().toString()).isFalse();
                final List<byte[]> read = TestBatches.readAll(reopened);
                assertThat(read).hasSize(acknowledged.size());
                for (int i = 0; i < read.size(); i++)
                {
                    assertThat(read.get(i)).isEqualTo(acknowledged.get(i));
                }
            }
        }
        finally
        {
            final String error = run("umount", mountPoint.getPath());
            if (null != error)
            {
                run("umount", "-l", mountPoint.getPath());
            }
        }
    }

    /**
     * @return null on success, else the command's output and exit code.
     */
    private static String run(final String... command) throws IOException, InterruptedException
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            return ex.getMessage();
        }
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(20, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            return String.join(" ", command) + " timed out";
        }
        return 0 == process.exitValue() ? null :
            String.join(" ", command) + " exited " + process.exitValue() + ": " +
            new String(output, StandardCharsets.UTF_8).trim();
    }
}
