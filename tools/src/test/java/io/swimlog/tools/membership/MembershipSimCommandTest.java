package io.swimlog.tools.membership;

import io.swimlog.tools.SwimlogCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code membership sim} and {@code membership scale} from the command line: the start mode reaches the report,
 * a start mode that does not exist is a usage error, and the scale table marks sizes started as a running cluster
 * and loss runs left out.
 */
@Timeout(120)
class MembershipSimCommandTest
{
    private static int run(final StringWriter out, final StringWriter err, final String... args)
    {
        return SwimlogCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void runningStartIsReportedInTheJson()
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = run(out, err, "membership", "sim", "--nodes", "200", "--duration", "20", "--kill", "1",
            "--start", "running", "--json");
        assertThat(exit).as("stderr: %s", err).isZero();
        assertThat(out.toString().trim())
            .startsWith("{\"nodes\":200,\"start\":\"running\"")
            .contains("\"converge_ms\":0", "\"false_dead\":0", "\"converged_at_end\":true", "\"peak_bytes_in_flight\":");
    }

    @Test
    void joinIsTheDefaultStart()
    {
        final StringWriter out = new StringWriter();
        final int exit = run(out, new StringWriter(), "membership", "sim", "--nodes", "20", "--duration", "20",
            "--json");
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("\"start\":\"join\"").doesNotContain("\"converge_ms\":-1");
    }

    @Test
    void anUnknownStartIsAUsageError()
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = run(out, err, "membership", "sim", "--nodes", "20", "--start", "warm");
        assertThat(exit).isEqualTo(SwimlogCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--start must be join or running: warm");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void scaleMarksSizesStartedAsARunningCluster(@TempDir final Path dir) throws Exception
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = run(out, err, "membership", "scale", "--sizes", "10,20", "--running-from", "20",
            "--max-loss-running", "0.05", "--window", "10", "--out", dir.toString());
        assertThat(exit).as("stderr: %s", err).isZero();
        final String table = Files.readString(dir.resolve("membership-scale.md"), StandardCharsets.UTF_8);
        assertThat(table.lines().filter(line -> line.startsWith("| 10 |"))).singleElement()
            .satisfies(line -> assertThat(line).doesNotContain("started running").doesNotContain("not run"));
        assertThat(table.lines().filter(line -> line.startsWith("| 20 |"))).singleElement()
            .satisfies(line -> assertThat(line).contains("| started running |", " / not run |"));
        assertThat(dir.resolve("membership-scale-messages.png")).isNotEmptyFile();
    }
}
