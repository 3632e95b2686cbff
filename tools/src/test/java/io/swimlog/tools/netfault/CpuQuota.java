package io.swimlog.tools.netfault;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cgroup v1 CPU controller group that holds processes to a CPU quota ({@code cpu.cfs_quota_us} per
 * {@code cpu.cfs_period_us}), as a starved host or a noisy neighbour would: the process runs for its quota, then
 * waits out the rest of the period. This machine mounts cgroup v1 ({@code cpu.max} of v2 is not there).
 * <p>
 * {@link #close()} moves any process still inside back to the root group and removes the group.
 */
final class CpuQuota implements AutoCloseable
{
    private static final Path ROOT = Path.of("/sys/fs/cgroup/cpu");
    private static final Pattern THROTTLED = Pattern.compile("nr_throttled (\\d+)");

    private final Path group;

    private CpuQuota(final Path group)
    {
        this.group = group;
    }

    static void assumeAvailable()
    {
        Assumptions.assumeTrue(Files.isWritable(ROOT.resolve("cgroup.procs")) &&
            Files.exists(ROOT.resolve("cpu.cfs_quota_us")),
            "CPU starvation tests need a writable cgroup v1 cpu controller at " + ROOT + " (and root)");
    }

    /**
     * Creates the group with {@code quotaUs} of CPU time per {@code periodUs}.
     */
    static CpuQuota create(final String name, final long quotaUs, final long periodUs) throws IOException
    {
        final Path group = ROOT.resolve(name + "-" + ProcessHandle.current().pid());
        Files.createDirectory(group);
        final CpuQuota quota = new CpuQuota(group);
        try
        {
            write(group.resolve("cpu.cfs_period_us"), Long.toString(periodUs));
            write(group.resolve("cpu.cfs_quota_us"), Long.toString(quotaUs));
            return quota;
        }
        catch (final IOException | RuntimeException ex)
        {
            quota.close();
            throw ex;
        }
    }

    /**
     * Moves the process with all its threads into the group.
     */
    void add(final long pid) throws IOException
    {
        write(group.resolve("cgroup.procs"), Long.toString(pid));
    }

    /**
     * Periods in which the group used up its quota and was held back.
     */
    long throttledPeriods() throws IOException
    {
        final Matcher matcher = THROTTLED.matcher(Files.readString(group.resolve("cpu.stat")));
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    public void close()
    {
        try
        {
            if (!Files.isDirectory(group))
            {
                return;
            }
            final List<String> pids = Files.readAllLines(group.resolve("cgroup.procs"));
            for (final String pid : pids)
            {
                if (!pid.isBlank())
                {
                    try
                    {
                        write(ROOT.resolve("cgroup.procs"), pid.strip());
                    }
                    catch (final IOException ignore)
                    {
                        // It exited in between: nothing left to move.
                    }
                }
            }
            Files.delete(group);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot remove cgroup " + group + ": " + ex.getMessage(), ex);
        }
    }

    public String toString()
    {
        return "CpuQuota{" + group + '}';
    }

    private static void write(final Path file, final String value) throws IOException
    {
        Files.write(file, value.getBytes(StandardCharsets.US_ASCII));
    }
}
