package io.swimlog.tools.broker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swimlog node} as a process: serves produce and consume, stops with exit 0 on SIGTERM, and a restart on
 * the same data directory serves the same topic and records.
 */
@Timeout(180)
class NodeProcessIT
{
    @TempDir
    File dataDir;

    @Test
    void aNodeStopsCleanlyOnSigtermAndServesItsDataAfterARestartInTheOtherThreadingMode() throws Exception
    {
        final String bind = "127.0.0.1:" + BrokerCommandsTest.freeUdpPort();
        Process node = startNode(bind);
        try
        {
            assertThat(swimlog(null, "topic", "create", "--bootstrap", bind, "--topic", "kept", "--partitions", "2")
                .exitCode).isZero();
            final StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 1000; i++)
            {
                lines.append("record ").append(i).append('\n');
            }
            final Result produced = swimlog(lines.toString(), "produce", "--bootstrap", bind, "--topic", "kept");
            assertThat(produced.exitCode).as(produced.err).isZero();

            node.destroy();
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(node.exitValue()).isZero();

            // The restart runs its media driver on the broker's thread (shared threading), membership included.
            node = startNode(bind, "--threading", "shared");
            final Result consumed = swimlog(null, "consume", "--bootstrap", bind, "--topic", "kept",
                "--from-beginning", "--max", "1000");
            assertThat(consumed.exitCode).as(consumed.err).isZero();
            assertThat(consumed.out.lines().sorted().toList())
                .isEqualTo(lines.toString().lines().sorted().toList());

            final Result members = swimlog(null, "members", "--bootstrap", bind, "--json");
            assertThat(members.out).contains("\"member\": \"n1\"", "\"state\": \"alive\"");

            node.destroy();
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(node.exitValue()).isZero();
        }
        finally
        {
            node.destroyForcibly();
        }
    }

    @Test
    void nodesAndClientsShareOneDriverGivenByAeronDir() throws Exception
    {
        final File driverDir = new File(dataDir, "driver");
        final Process driver = startProcess("swimlog driver running in ", "driver", "--dir", driverDir.getPath());
        Process node = null;
        try
        {
            final Result second = swimlog(null, "driver", "--dir", driverDir.getPath());
            assertThat(second.exitCode).isEqualTo(2);
            assertThat(second.err).startsWith("swimlog: a media driver is already running in ");

            final String bind = "127.0.0.1:" + BrokerCommandsTest.freeUdpPort();
            node = startNode(bind, "--aeron-dir", driverDir.getPath());
            final String[] viaDriver = { "--bootstrap", bind, "--aeron-dir", driverDir.getPath() };
            assertThat(swimlog(null, concat(new String[]{ "topic", "create", "--topic", "shared" }, viaDriver))
                .exitCode).isZero();
            final Result produced = swimlog("one\ntwo\n",
                concat(new String[]{ "produce", "--topic", "shared" }, viaDriver));
            assertThat(produced.exitCode).as(produced.err).isZero();
            final Result consumed = swimlog(null,
                concat(new String[]{ "consume", "--topic", "shared", "--from-beginning", "--max", "2" }, viaDriver));
            assertThat(consumed.out).isEqualTo("one\ntwo\n");

            node.destroy();
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(node.exitValue()).isZero();
            driver.destroy();
            assertThat(driver.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(driver.exitValue()).isZero();
            assertThat(driverDir).as("the driver deletes its directory on SIGTERM").doesNotExist();
        }
        finally
        {
            if (null != node)
            {
                node.destroyForcibly();
            }
            driver.destroyForcibly();
        }
    }

    private static String[] concat(final String[] first, final String[] second)
    {
        final String[] all = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    @Test
    void retentionFlagsDeleteTheOldestSegmentsAndBadValuesAreRefused() throws Exception
    {
        final Result refused = swimlog(null, "node", "--id", "n1", "--bind",
            "127.0.0.1:" + BrokerCommandsTest.freeUdpPort(), "--data-dir", dataDir.getAbsolutePath(),
            "--retention-bytes", "-5");
        assertThat(refused.exitCode).isEqualTo(2);
        assertThat(refused.err).startsWith("swimlog: retention bytes must be -1 (no limit) or more: -5");

        final String bind = "127.0.0.1:" + BrokerCommandsTest.freeUdpPort();
        // Segments are never smaller than the largest batch (2 MiB with the default term length).
        final String[] retention = { "--segment-bytes", "2097152", "--retention-bytes", "4194304" };
        Process node = startNode(bind, retention);
        try
        {
            final Result produced = swimlog(null, "perf", "produce", "--bootstrap", bind, "--topic", "short",
                "--partitions", "1", "--records", "150000", "--record-size", "100", "--json");
            assertThat(produced.exitCode).as(produced.err).isZero();
            final File partitionDir = new File(dataDir, "logs/short-0");
            assertThat(segmentCount(partitionDir)).isGreaterThanOrEqualTo(6);

            // Retention runs on a node's first duty cycle (then every 30 s): a restart makes it happen now.
            node.destroy();
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
            node = startNode(bind, retention);

            final Result first = swimlog(null, "consume", "--bootstrap", bind, "--topic", "short",
                "--from-beginning", "--max", "1", "--json");
            assertThat(first.exitCode).as(first.err).isZero();
            final long earliest = Long.parseLong(first.out.replaceAll("(?s).*\"offset\": (\\d+).*", "$1"));
            assertThat(earliest).isPositive();
            assertThat(segmentCount(partitionDir)).isBetween(2, 3);
        }
        finally
        {
            node.destroyForcibly();
        }
    }

    private static int segmentCount(final File partitionDir)
    {
        final String[] segments = partitionDir.list((dir, name) -> name.endsWith(".log"));
        assertThat(segments).as("segments in " + partitionDir).isNotNull();
        return segments.length;
    }

    private Process startNode(final String bind, final String... extraArgs) throws IOException
    {
        final List<String> args = new ArrayList<>(List.of("node", "--id", "n1", "--bind", bind, "--data-dir",
            dataDir.getAbsolutePath()));
        args.addAll(List.of(extraArgs));
        return startProcess("swimlog node n1 serving on " + bind, args.toArray(new String[0]));
    }

    /**
     * Starts a long-running command and returns once it has printed a line starting with {@code readyLine}.
     */
    private static Process startProcess(final String readyLine, final String... args) throws IOException
    {
        final Process process = new ProcessBuilder(command(args)).redirectErrorStream(true).start();
        final BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while (null != (line = reader.readLine()))
        {
            if (line.startsWith(readyLine))
            {
                return process;
            }
        }
        throw new IOException("'swimlog " + args[0] + "' exited before it was ready");
    }

    private static List<String> command(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("java",
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
            "-Djava.net.preferIPv4Stack=true", "-jar", System.getProperty("swimlog.jar")));
        command.addAll(List.of(args));
        return command;
    }

    private static Result swimlog(final String stdin, final String... args) throws Exception
    {
        final Process process = new ProcessBuilder(command(args)).start();
        if (null != stdin)
        {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        final byte[] out = process.getInputStream().readAllBytes();
        final byte[] err = process.getErrorStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("swimlog did not exit");
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
            new String(err, StandardCharsets.UTF_8));
    }

    private record Result(int exitCode, String out, String err)
    {
    }
}
