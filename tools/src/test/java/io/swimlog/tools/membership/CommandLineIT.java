package io.swimlog.tools.membership;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shaded jar's exit status and stderr for bad input, as a script sees them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandLineIT
{
    @Test
    void badFlagExitsTwoWithOneLineOnStderr() throws Exception
    {
        final Result result = run("membership", "run", "--id", "a", "--bind", "127.0.0.1:7000", "--bogus");

        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.stderr.lines()).hasSize(1).first().asString().startsWith("swimlog: ").contains("--bogus");
        assertThat(result.stdout).isEmpty();
    }

    @Test
    void badBindExitsTwoWithOneLineOnStderr() throws Exception
    {
        final Result result = run("membership", "run", "--id", "a", "--bind", "127.0.0.1", "--json");

        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.stderr.lines()).hasSize(1).first().asString().contains("is not host:port");
    }

    @Test
    void badKeyExitsTwoWithOneLineOnStderr() throws Exception
    {
        final Result result = run("membership", "run", "--id", "a", "--bind", "127.0.0.1:7000", "--key", "short");

        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.stderr.lines()).hasSize(1);
    }

    @Test
    void portInUseExitsOneWithOneLineOnStderr() throws Exception
    {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final String bind = "127.0.0.1:" + taken.getLocalPort();

            final Result result = run("membership", "run", "--id", "a", "--bind", bind, "--json");

            assertThat(result.exitCode).isEqualTo(1);
            assertThat(result.stderr.lines()).hasSize(1).first().asString().contains("cannot listen on " + bind);
        }
    }

    private static Result run(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(MemberProcess.javaCommand(MemberProcess.jar()));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).start();
        try
        {
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                throw new AssertionError("swimlog did not exit: " + command);
            }
            return new Result(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    private record Result(int exitCode, String stdout, String stderr)
    {
    }
}
