package io.swimlog.tools.broker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the log broker quick start of README.md, line by line, against the built jar, so the quick start cannot
 * rot: the block after the {@code quickstart: broker} marker, with {@code bin/swimlog} replaced by the jar and
 * port 7000 by a free one. A line ending in {@code &} runs in the background until the end.
 */
@Timeout(180)
class BrokerQuickStartIT
{
    @Test
    void theReadmeQuickStartRuns() throws Exception
    {
        final List<String> lines = quickStart();
        assertThat(lines).isNotEmpty();
        final int port = freePortWithTwoAfter();
        final String swimlog = javaCommand();
        Process background = null;
        try
        {
            for (final String line : lines)
            {
                final String command = line.replace("bin/swimlog", swimlog).replace("127.0.0.1:7000", "127.0.0.1:" + port);
                if (command.endsWith("&"))
                {
                    final String dev = command.substring(0, command.length() - 1).trim() + " --bind 127.0.0.1:" + port;
                    background = new ProcessBuilder("bash", "-c", "exec " + dev)
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    awaitBroker(swimlog, port);
                    continue;
                }
                final Result result = bash(command);
                assertThat(result.exitCode).as("%s%nstdout: %s%nstderr: %s", line, result.out, result.err).isZero();
                if (line.contains(" consume "))
                {
                    assertThat(result.out.lines()).hasSize(2);
                    assertThat(result.out).contains("\"key\": \"alice\"", "\"value\": \"1 book\"", "\"key\": \"bob\"");
                }
                if (line.contains(" describe "))
                {
                    assertThat(result.out).contains("topic orders partitions 3");
                }
                if (line.contains(" members "))
                {
                    assertThat(result.out).contains("dev-1", "alive");
                }
            }
        }
        finally
        {
            if (null != background)
            {
                background.destroy();
                assertThat(background.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(background.exitValue()).isZero();
            }
        }
    }

    private static void awaitBroker(final String swimlog, final int port) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            // Each attempt starts a JVM that waits up to its connect timeout: no pause needed between them.
            if (0 == bash(swimlog + " topic list --bootstrap 127.0.0.1:" + port).exitCode)
            {
                return;
            }
        }
        throw new AssertionError("the dev broker did not start");
    }

    static List<String> quickStart() throws IOException
    {
        Path dir = new File(".").getAbsoluteFile().toPath();
        while (null != dir && !Files.exists(dir.resolve("README.md")))
        {
            dir = dir.getParent();
        }
        final List<String> readme = Files.readAllLines(dir.resolve("README.md"), StandardCharsets.UTF_8);
        final List<String> lines = new ArrayList<>();
        boolean marked = false;
        boolean inBlock = false;
        for (final String line : readme)
        {
            if (line.startsWith("<!-- quickstart: broker"))
            {
                marked = true;
            }
            else if (marked && line.startsWith("```"))
            {
                if (inBlock)
                {
                    break;
                }
                inBlock = true;
            }
            else if (inBlock && !line.isBlank())
            {
                lines.add(line);
            }
        }

        return lines;
    }

    private static String javaCommand()
    {
        final String jar = System.getProperty("swimlog.jar");
        return "java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED " +
            "--add-opens java.base/java.util.zip=ALL-UNNAMED -Djava.net.preferIPv4Stack=true -jar " + jar;
    }

    private static int freePortWithTwoAfter()
    {
        for (int i = 0; i < 20; i++)
        {
            final int port = BrokerCommandsTest.freeUdpPort();
            if (port < 65000 && free(port + 1) && free(port + 2))
            {
                return port;
            }
        }
        throw new IllegalStateException("no three free ports in a row");
    }

    private static boolean free(final int port)
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(port,
            java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort() == port;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static Result bash(final String command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("bash", "-c", command).start();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("did not finish: " + command);
        }
        return new Result(process.exitValue(),
            new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
            new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private record Result(int exitCode, String out, String err)
    {
    }
}
