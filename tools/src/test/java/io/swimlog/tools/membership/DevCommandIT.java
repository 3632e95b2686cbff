package io.swimlog.tools.membership;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swimlog dev} as a user meets it: it prints its seed, a member started with the command it prints joins,
 * and Ctrl-C (here SIGTERM, the same shutdown path) makes its members leave and the process exit 0.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DevCommandIT
{
    private final List<String> devLines = new CopyOnWriteArrayList<>();
    private Process dev;
    private MemberProcess joiner;

    @AfterEach
    void killEverything()
    {
        if (null != joiner)
        {
            joiner.close();
        }
        if (null != dev)
        {
            dev.destroyForcibly();
        }
    }

    @Test
    void aMemberJoinsTheDevClusterThroughItsSeedAndDevLeavesOnSigterm() throws Exception
    {
        final int port = freePortRange(3);
        final String seed = "127.0.0.1:" + port;
        final List<String> command = new ArrayList<>(MemberProcess.javaCommand(MemberProcess.jar()));
        command.addAll(List.of("dev", "--json", "--nodes", "3", "--profile", "local", "--bind", seed));
        dev = new ProcessBuilder(command).redirectErrorStream(true).start();
        final Thread reader = readLines(dev, devLines);

        MemberCluster.await("dev prints that it started", 60_000,
            () -> devLines.stream().anyMatch(l -> l.contains("\"started\"")) || !dev.isAlive());
        assertThat(dev.isAlive()).as("dev is running: %s", devLines).isTrue();
        assertThat(devLines.stream().filter(l -> l.contains("\"started\"")).findFirst().orElseThrow())
            .contains("\"address\": \"" + seed + "\"");

        joiner = MemberProcess.start(MemberProcess.jar(), "x", seed, List.of("--profile", "local"));
        MemberCluster.await("dev-1 sees x join", 60_000,
            () -> devLines.stream().anyMatch(l -> l.contains("\"joined\"") && l.contains("\"member\": \"x\"")));
        MemberCluster.await("x sees the three dev members", 60_000,
            () -> joiner.hasEvent("joined", "dev-1") && joiner.hasEvent("joined", "dev-2") &&
                joiner.hasEvent("joined", "dev-3"));

        signal(dev.pid(), "-TERM");
        assertThat(dev.waitFor(30, TimeUnit.SECONDS)).as("dev exits after SIGTERM").isTrue();
        reader.join(10_000);
        assertThat(dev.exitValue()).as("exit status; output: %s", devLines).isZero();
        MemberCluster.await("x sees every dev member leave", 30_000,
            () -> joiner.hasEvent("left", "dev-1") && joiner.hasEvent("left", "dev-2") &&
                joiner.hasEvent("left", "dev-3"));
        assertThat(joiner.hasEvent("dead", "dev-1")).isFalse();
    }

    /**
     * A first port such that it and the next {@code count - 1} are free for UDP and TCP on loopback now.
     */
    private static int freePortRange(final int count) throws IOException
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int first = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            if (allFree(first, count))
            {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " free consecutive ports found");
    }

    private static boolean allFree(final int first, final int count)
    {
        for (int port = first; port < first + count; port++)
        {
            final InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            try (DatagramSocket udp = new DatagramSocket(address); ServerSocket tcp = new ServerSocket())
            {
                tcp.bind(address);
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }

    private static Thread readLines(final Process process, final List<String> lines)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignore)
            {
                // The process is gone; what it printed is already recorded.
            }
        }, "dev-stdout");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void signal(final long pid, final String signal) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", signal, Long.toString(pid)).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}
