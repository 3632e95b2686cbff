package io.swimlog.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad command lines of {@code membership run} and {@code dev} end with exit status 2 and one sentence on stderr,
 * before anything is started.
 */
@Timeout(30)
class CommandLineErrorsTest
{
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "membership run --id a --bind nonsense                           | is not host:port",
        "membership run --id a --bind 127.0.0.1:70000                    | port outside 0-65535",
        "membership run --id a --bind 127.0.0.1:7000 --seeds 127.0.0.1   | is not host:port",
        "membership run --id a --bind 127.0.0.1:7000 --key not-base64!   | key",
        "membership run --id a --bind 127.0.0.1:7000 --key AAAA          | key",
        "membership run --id a --bind 127.0.0.1:7000 --profile fast      | --profile must be lan, wan or local",
        "membership run --id a --bind 127.0.0.1:7000 --no-such-flag      | Unknown option",
        "membership run --bind 127.0.0.1:7000                            | Missing required option: '--id=ID'",
        "membership run --id a --bind 127.0.0.1:0 --probe-interval-ms 100 --probe-timeout-ms 200 | probeTimeoutMs",
        "membership run --id a --bind 127.0.0.1:0 --transport tcp       | --transport must be aeron or udp",
        "membership run --id a --bind 127.0.0.1:0 --transport udp --aeron-dir /tmp/x | --aeron-dir needs --transport aeron",
        "membership run --id a --bind nonsense --transport udp           | is not host:port",
        "dev --nodes 0                                                   | --nodes must be 1 to 64",
        "dev --bind 127.0.0.1:65535 --nodes 3                            | --bind needs a port from 1 to 65533",
        "dev --bind localhost                                            | is not host:port",
    })
    void badInputIsAUsageErrorWithOneSentence(final String commandLine, final String expected)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();

        final int exitCode = SwimlogCommand.execute(
            commandLine.trim().split("\\s+"), new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(exitCode).as("exit status; stderr: %s", err).isEqualTo(SwimlogCommand.EXIT_USAGE);
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(err.toString()).startsWith("swimlog: ").contains(expected);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void helpOfRunNamesTheJsonFieldsScriptsRelyOn()
    {
        final StringWriter out = new StringWriter();

        final int exitCode = SwimlogCommand.execute(new String[] { "membership", "run", "--help" },
            new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));

        assertThat(exitCode).isZero();
        assertThat(out.toString()).contains("\"time\"", "\"event\"", "\"member\"", "\"incarnation\"", "\"address\"",
            "joined|updated|suspected|alive|dead|left", "--id", "--bind", "--seeds", "--key", "--json");
    }
}
