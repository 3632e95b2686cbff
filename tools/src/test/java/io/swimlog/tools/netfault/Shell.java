package io.swimlog.tools.netfault;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs short system commands ({@code ip}, {@code nft}) to completion, so that a failure is one exception naming
 * the command and what it printed, never a silently half-built fixture.
 */
final class Shell
{
    private static final long TIMEOUT_MS = 20_000;

    private Shell()
    {
    }

    /**
     * Runs {@code command} with {@code stdin} (may be null) and returns what it printed on stdout.
     *
     * @throws IllegalStateException when it exits non-zero or does not finish in 20 s.
     */
    static String run(final List<String> command, final String stdin)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (OutputStream in = process.getOutputStream())
            {
                if (null != stdin)
                {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            // Output of these commands is small: reading it all after exit cannot block the child on a full pipe.
            final byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            final String text = new String(output, StandardCharsets.UTF_8);
            if (0 != process.exitValue())
            {
                throw new IllegalStateException(
                    String.join(" ", command) + " exited " + process.exitValue() + ": " + text.strip());
            }
            return text;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), ex);
        }
    }

    static String run(final String... command)
    {
        return run(List.of(command), null);
    }

    /**
     * Runs {@code command}, recording a failure in {@code failure} instead of throwing: for clean-up steps,
     * where every step must be tried even when one fails.
     */
    static RuntimeException tryRun(final RuntimeException failure, final String... command)
    {
        try
        {
            run(command);
            return failure;
        }
        catch (final RuntimeException ex)
        {
            if (null == failure)
            {
                return ex;
            }
            failure.addSuppressed(ex);
            return failure;
        }
    }

    /**
     * Whether {@code command} (a tool and its arguments, such as a version flag) runs and succeeds.
     */
    static boolean available(final String... command)
    {
        try
        {
            run(command);
            return true;
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }
}
