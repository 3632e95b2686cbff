package io.swimlog.tools.broker;

import io.aeron.driver.MediaDriver;
import io.swimlog.broker.BrokerContext;
import io.swimlog.broker.BrokerNode;
import io.swimlog.tools.SwimlogCommand;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker commands against an in-process broker, through {@link SwimlogCommand#execute}: exit codes, output
 * and the 100,000-record round trip through {@code produce} and {@code consume}.
 */
@Timeout(120)
class BrokerCommandsTest
{
    @TempDir
    static File dataDir;

    private static MediaDriver driver;
    private static BrokerNode node;
    private static String bootstrap;

    @BeforeAll
    static void startBroker()
    {
        bootstrap = "127.0.0.1:" + freeUdpPort();
        driver = BrokerNode.launchEmbeddedDriver();
        node = BrokerNode.start(new BrokerContext()
            .nodeId("cli-test")
            .bind(bootstrap)
            .dataDir(dataDir)
            .aeronDirectoryName(driver.aeronDirectoryName()));
    }

    @AfterAll
    static void stopBroker()
    {
        CloseHelper.closeAll(node, driver);
    }

    @Test
    void topicsAreCreatedListedDescribedAndDeleted()
    {
        assertThat(run("topic create --bootstrap " + bootstrap + " --topic t1 --partitions 2").out)
            .isEqualTo("created topic t1 with 2 partitions\n");
        assertThat(run("topic list --bootstrap " + bootstrap).out).contains("t1\n");
        assertThat(run("topic describe --bootstrap " + bootstrap + " --topic t1").out)
            .contains("topic t1 partitions 2 replication 1", "partition 1 leader cli-test");
        assertThat(run("topic delete --bootstrap " + bootstrap + " --topic t1").out).isEqualTo("deleted topic t1\n");
        assertThat(run("topic list --bootstrap " + bootstrap).out).doesNotContain("t1\n");
    }

    @Test
    void errorsAreOneSentenceWithANonZeroExit()
    {
        final Result unknown = run("topic describe --bootstrap " + bootstrap + " --topic nope");
        assertThat(unknown.exitCode).isEqualTo(1);
        assertThat(unknown.err).isEqualTo("swimlog: topic 'nope' does not exist.\n");

        final Result duplicate = run("topic create --bootstrap " + bootstrap + " --topic dup");
        assertThat(duplicate.exitCode).isZero();
        assertThat(run("topic create --bootstrap " + bootstrap + " --topic dup").err)
            .isEqualTo("swimlog: topic 'dup' already exists.\n");

        final Result badAcks = run("produce --bootstrap " + bootstrap + " --topic dup --acks 2");
        assertThat(badAcks.exitCode).isEqualTo(SwimlogCommand.EXIT_USAGE);
        assertThat(badAcks.err).isEqualTo("swimlog: --acks must be 0, 1 or all, not '2'.\n");

        final Result badThreading = run("node --id x --bind 127.0.0.1:" + freeUdpPort() + " --data-dir " +
            System.getProperty("java.io.tmpdir") + " --threading sometimes");
        assertThat(badThreading.exitCode).isEqualTo(SwimlogCommand.EXIT_USAGE);
        assertThat(badThreading.err).isEqualTo("swimlog: --threading must be dedicated or shared, not 'sometimes'.\n");

        final Result badBootstrap = run("members --bootstrap nonsense");
        assertThat(badBootstrap.exitCode).isEqualTo(SwimlogCommand.EXIT_USAGE);

        final Result unreachable = run("topic list --bootstrap 127.0.0.1:" + freeUdpPort());
        assertThat(unreachable.exitCode).isEqualTo(1);
        assertThat(unreachable.err).startsWith("swimlog: cannot reach the broker at").hasLineCount(1);

        ProduceCommand.stdin = new ByteArrayInputStream("x\n".getBytes(StandardCharsets.UTF_8));
        final Result unknownTopic = run("produce --bootstrap " + bootstrap + " --topic missing");
        assertThat(unknownTopic.exitCode).isEqualTo(1);
        assertThat(unknownTopic.err).isEqualTo("swimlog: topic 'missing' does not exist.\n");
    }

    @Test
    void membersListsTheBroker()
    {
        final Result members = run("members --bootstrap " + bootstrap + " --json");
        assertThat(members.exitCode).isZero();
        assertThat(members.out).startsWith("{\"member\": \"cli-test\", \"address\": \"" + bootstrap +
            "\", \"state\": \"alive\"");
    }

    @Test
    void hundredThousandLinesGoThroughProduceAndConsumeInOrderPerPartition()
    {
        final int count = 100_000;
        assertThat(run("topic create --bootstrap " + bootstrap + " --topic lines --partitions 3").exitCode).isZero();
        final StringBuilder input = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            input.append("key-").append(i % 1000).append('\t').append("value ").append(i).append(" é\n");
        }
        ProduceCommand.stdin = new ByteArrayInputStream(input.toString().getBytes(StandardCharsets.UTF_8));
        final Result produced = run(
            new String[] { "produce", "--bootstrap", bootstrap, "--topic", "lines", "--acks", "1",
                "--key-separator", "\t" });
        assertThat(produced.exitCode).as(produced.err).isZero();

        final Result consumed = run("consume --bootstrap " + bootstrap + " --topic lines --from-beginning --json " +
            "--max " + count);
        assertThat(consumed.exitCode).as(consumed.err).isZero();
        final List<String> lines = consumed.out.lines().toList();
        assertThat(lines).hasSize(count);

        final Pattern json = Pattern.compile("\\{\"topic\": \"lines\", \"partition\": (\\d), \"offset\": (\\d+), " +
            "\"timestamp\": \\d+, \"key\": \"key-(\\d+)\", \"key_base64\": false, \"value\": \"value (\\d+) é\", " +
            "\"value_base64\": false, \"headers\": \\[]}");
        final Map<Integer, Integer> lastIndexByPartition = new HashMap<>();
        final Map<Integer, Long> lastOffsetByPartition = new HashMap<>();
        final Map<Integer, Integer> partitionOfKey = new HashMap<>();
        final boolean[] seen = new boolean[count];
        for (final String line : lines)
        {
            final Matcher matcher = json.matcher(line);
            assertThat(matcher.matches()).as(line).isTrue();
            final int partition = Integer.parseInt(matcher.group(1));
            final long offset = Long.parseLong(matcher.group(2));
            final int key = Integer.parseInt(matcher.group(3));
            final int index = Integer.parseInt(matcher.group(4));
            assertThat(key).isEqualTo(index % 1000);
            assertThat(seen[index]).as("duplicate %s", index).isFalse();
            seen[index] = true;
            assertThat(index).isGreaterThan(lastIndexByPartition.getOrDefault(partition, -1));
            assertThat(offset).isEqualTo(lastOffsetByPartition.getOrDefault(partition, -1L) + 1);
            assertThat(partitionOfKey.computeIfAbsent(key, k -> partition)).isEqualTo(partition);
            lastIndexByPartition.put(partition, index);
            lastOffsetByPartition.put(partition, offset);
        }
    }

    @Test
    void perfWritesItsFiguresAsJsonWithAHistogramAndAPlot(@TempDir final File out) throws Exception
    {
        final File hgrm = new File(out, "produce.hgrm");
        final File html = new File(out, "produce.html");
        final Result produce = run("perf produce --bootstrap " + bootstrap + " --topic perf --records 20000 " +
            "--record-size 100 --partitions 2 --json --hgrm " + hgrm + " --html " + html);
        assertThat(produce.exitCode).as(produce.err).isZero();
        assertThat(produce.out).startsWith("{\"mode\": \"produce\", \"topic\": \"perf\", \"records\": 20000")
            .contains("\"records_per_sec\": ", "\"mb_per_sec\": ", "\"errors\": 0", "\"ack_p50_us\": ",
                "\"ack_p99_9_us\": ", "\"ack_p99_99_us\": ", "\"ack_max_us\": ")
            .hasLineCount(1);
        assertThat(java.nio.file.Files.readString(hgrm.toPath())).contains("Value     Percentile TotalCount");
        assertThat(java.nio.file.Files.readString(html.toPath())).startsWith("<!DOCTYPE html>").contains("<svg");

        final Result consume = run("perf consume --bootstrap " + bootstrap + " --topic perf --records 20000 --json");
        assertThat(consume.exitCode).as(consume.err).isZero();
        assertThat(consume.out).contains("\"mode\": \"consume\"", "\"records_per_sec\": ");

        final Result e2e = run("perf e2e --bootstrap " + bootstrap + " --topic perf-e2e --records 2000 --rate 2000 " +
            "--record-size 100 --partitions 2 --linger-ms 0");
        assertThat(e2e.exitCode).as(e2e.err).isZero();
        assertThat(e2e.out).contains("end-to-end latency µs: p50 ", " p99.99 ", " max ",
            "end-to-end from the actual send latency µs: p50 ");

        final Result tooSmall = run("perf e2e --bootstrap " + bootstrap + " --topic perf-e2e --records 10 " +
            "--record-size 8");
        assertThat(tooSmall.exitCode).isEqualTo(2);
        assertThat(tooSmall.err).contains("perf e2e needs --record-size of at least 16 bytes");

        final Result missing = run("perf consume --bootstrap " + bootstrap + " --topic perf --records 30000");
        assertThat(missing.exitCode).isEqualTo(1);
        assertThat(missing.err).isEqualTo("swimlog: only 20000 of 30000 records are in topic 'perf'.\n");
    }

    @Test
    void perfE2eTalksOverIpcThroughTheNodesDriverAndIpcNeedsThatDriver()
    {
        final Result e2e = run("perf e2e --bootstrap " + bootstrap + " --aeron-dir " + driver.aeronDirectoryName() +
            " --ipc --topic perf-ipc --records 2000 --rate 2000 --record-size 100 --partitions 2 --linger-ms 0 --json");
        assertThat(e2e.exitCode).as(e2e.err).isZero();
        assertThat(e2e.out).contains("\"mode\": \"e2e\"", "\"transport\": \"ipc\"", "\"e2e_from_send_p99_us\": ")
            .hasLineCount(1);

        final Result noDriver = run("topic list --bootstrap " + bootstrap + " --ipc");
        assertThat(noDriver.exitCode).isEqualTo(SwimlogCommand.EXIT_USAGE);
        assertThat(noDriver.err).startsWith("swimlog: --ipc: ipc reaches only a broker on the same media driver")
            .hasLineCount(1);
    }

    private static Result run(final String commandLine)
    {
        return run(commandLine.trim().split("\\s+"));
    }

    private static Result run(final String[] args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final InputStream stdin = ProduceCommand.stdin;
        try
        {
            final int exitCode = SwimlogCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
            return new Result(exitCode, out.toString(), err.toString());
        }
        finally
        {
            ProduceCommand.stdin = System.in;
            assertThat(stdin).isNotNull();
        }
    }

    private record Result(int exitCode, String out, String err)
    {
    }

    static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
