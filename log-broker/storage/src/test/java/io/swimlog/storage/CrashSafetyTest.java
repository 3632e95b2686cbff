package io.swimlog.storage;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A child JVM appends with flush=always and prints every acknowledged end offset; it is SIGKILLed
 * ({@code destroyForcibly} on Linux) at a random point, 20 times over the same partition directory. After each
 * kill the log is reopened here: every acknowledged batch must be present and intact, and the log must be a
 * clean prefix of the batch sequence the child was writing, nothing more.
 */
class CrashSafetyTest
{
    private static final int TRIALS = 20;
    private static final long SEED = 20261125L;

    @TempDir
    Path tempDir;

    @Test
    @Timeout(120)
    void everyAcknowledgedBatchSurvivesSigkill() throws Exception
    {
        final File dir = tempDir.resolve("crash-0").toFile();
        final Random random = new Random(SEED);
        long totalAcks = 0;
        for (int trial = 0; trial < TRIALS; trial++)
        {
            final int killAfterAcks = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(150);
            final long acknowledged = runAndKill(dir, killAfterAcks, trial);
            totalAcks += acknowledged >= 0 ? 1 : 0;
            verify(dir, acknowledged, trial);
        }
        assertThat(totalAcks).as("trials in which the child acknowledged something").isGreaterThan(TRIALS / 2);
    }

    private long runAndKill(final File dir, final int killAfterAcks, final int trial) throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final ProcessBuilder builder = new ProcessBuilder(
            java,
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
            "-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-cp", System.getProperty("java.class.path"),
            CrashAppender.class.getName(), dir.getAbsolutePath(), Long.toString(SEED))
            .redirectError(tempDir.resolve("child-" + trial + ".err").toFile());
        final Process process = builder.start();

        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)))
            {
                String line;
                while (null != (line = in.readLine()))
                {
                    lines.add(line);
                }
            }
            catch (final java.io.IOException ignore)
            {
                // the pipe breaks when the child dies: every complete line was already queued
            }
            lines.add("EOF");
        }, "child-stdout");
        reader.setDaemon(true);
        reader.start();

        long lastAck = -1;
        int acks = 0;
        boolean opened = false;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && (!opened || acks < killAfterAcks))
        {
            final String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (null == line || "EOF".equals(line))
            {
                break;
            }
            if (line.startsWith("OPEN"))
            {
                opened = true;
            }
            else if (line.startsWith("ACK "))
            {
                lastAck = Long.parseLong(line.substring(4).trim());
                acks++;
            }
        }
        assertThat(opened).as("child opened the log (see child-" + trial + ".err)").isTrue();

        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        reader.join(TimeUnit.SECONDS.toMillis(30));
        for (String line = lines.poll(); null != line; line = lines.poll())
        {
            if (line.startsWith("ACK "))
            {
                lastAck = Long.parseLong(line.substring(4).trim());
            }
        }

        return lastAck;
    }

    private static void verify(final File dir, final long acknowledged, final int trial) throws Exception
    {
        try (PartitionLog log = PartitionLog.open(CrashAppender.context(dir)))
        {
            final String report = "trial " + trial + ", acknowledged end " + acknowledged + "\n" + log.recoveryReport();
            System.out.println(report);
            assertThat(log.logEndOffset()).as(report).isGreaterThanOrEqualTo(acknowledged);

            final List<byte[]> batches = TestBatches.readAll(log);
            long expectedBase = 0;
            for (int i = 0; i < batches.size(); i++)
            {
                final UnsafeBuffer expected = TestBatches.sequenceBatch(SEED, i);
                assertThat(batches.get(i)).as("batch %d of %s", i, report)
                    .isEqualTo(TestBatches.stamped(expected, expectedBase, 0));
                expectedBase += TestBatches.recordCount(expected);
            }
            assertThat(expectedBase).as(report).isEqualTo(log.logEndOffset());
            assertThat(new ArrayList<>(log.recoveryReport().events())).as(report)
                .noneMatch(e -> e.action() == RecoveryReport.Action.SEGMENT_DELETED && e.bytesRemoved() > 0 &&
                    e.baseOffset() < acknowledged);
        }
    }
}
