package io.swimlog.tools.netfault;

import io.aeron.CncFileDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The ScaleCube anchor's measurements ({@code ../shared/bench/swim/run.sh}) taken the same way of Swimlog: one
 * {@code swimlog membership run} JVM per member on 127.0.0.1 inside a network namespace of its own (only
 * {@code lo}), memberlist's LAN timings (probe every 1 s, 500 ms timeout, 3 indirect probes: ScaleCube's default
 * ping settings), for each cluster size:
 * <ul>
 * <li>join: from launching the last JVM until every member lists all N (from the members' own event times);
 * boot joins plus the re-join of each killed slot as a new member;</li>
 * <li>load: a 60 s window 10 s after the boot converged: packets and bytes the namespace's {@code lo} sent, per
 * member per second (all of Aeron's traffic: data, status messages, heartbeats), CPU and RSS per member; and from
 * each member's embedded driver's counters (its cnc.dat, as AeronStat reads it) the protocol's datagrams, Aeron's
 * heartbeats and status messages, and the peer publications opened, per member per second;</li>
 * <li>detection: 3 trials of SIGKILL of a non-seed member (indices N-1, N/2, 1): first suspicion anywhere, and
 * each survivor's DEAD (median and last survivor);</li>
 * <li>false positives: a 120 s window with 2 busy loops per core at 5-45 s, and SIGSTOP for 1.5 s of members 1,
 * N/2, N-1, N/2+1 at 55, 70, 85 and 100 s; suspicions within 10 s of a stop count for it, within the hog period
 * plus 10 s for the load; every DEAD of a live member is a wrong removal; observed until 140 s.</li>
 * </ul>
 * A test-scope main, not a test: {@code benchmarks/scripts/membership-side-by-side.sh} runs it under the bench
 * lock. Usage: {@code SideBySideBenchmark SIZE...} with {@code -Dswimlog.jar=...}; prints one table. Reading the
 * counters needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (Agrona's buffers), as the
 * script passes.
 */
public final class SideBySideBenchmark
{
    private static final int BASE_PORT = 22000;
    /** memberlist's LAN timings, then {@code -Dswimlog.sidebyside.args} (say, {@code --transport udp}). */
    private static final List<String> MEMBER_ARGS = memberArgs(System.getProperty("swimlog.sidebyside.args", ""));
    private static final long STOP_MS = 1_500;
    private static final String SHM = "/dev/shm";
    /** Driver and transport counters per member per second over the load window, by label (endpoint cut off). */
    private static final List<String> COUNTER_ROWS = List.of(
        "swimlog membership datagrams sent", "swimlog membership datagrams received", "Heartbeats sent",
        "Status Messages sent", "swimlog membership publications opened");

    private final int size;
    private final String namespace;
    private final List<MemberJvm> slots = new ArrayList<>();
    private final List<MemberJvm> retired = new ArrayList<>();
    private final List<Double> joinSeconds = new ArrayList<>();
    private final List<Double> firstSuspectSeconds = new ArrayList<>();
    private final List<Double> medianDeadSeconds = new ArrayList<>();
    private final List<Double> lastDeadSeconds = new ArrayList<>();
    private final StringBuilder notes = new StringBuilder();
    private double packetsPerMemberSecond;
    private double bytesPerMemberSecond;
    private double cpuPercent;
    private double rssMb;
    private final Map<String, Double> countersPerMemberSecond = new HashMap<>();
    private int stopsSuspected;
    private int suspectEventsOnStops;
    private int suspectEventsUnderHogs;
    private int wrongRemovals;
    private int otherSuspicions;

    private SideBySideBenchmark(final int size)
    {
        this.size = size;
        this.namespace = "swfbench" + ProcessHandle.current().pid() % 100_000;
    }

    public static void main(final String[] args) throws Exception
    {
        final List<SideBySideBenchmark> runs = new ArrayList<>();
        for (final String arg : args)
        {
            final SideBySideBenchmark run = new SideBySideBenchmark(Integer.parseInt(arg));
            run.measure();
            runs.add(run);
            System.out.println(table(runs));
            System.out.flush();
        }
    }

    private void measure() throws Exception
    {
        Shell.run("ip", "netns", "add", namespace);
        try
        {
            Shell.run("ip", "-n", namespace, "link", "set", "lo", "up");
            log("N=" + size + ": boot, one JVM after another, loadavg " + loadAverage());
            boot();
            pause(10_000);
            load();
            for (final int victim : new int[]{ size - 1, size / 2, 1 })
            {
                killTrial(victim);
            }
            falsePositives();
            log("N=" + size + ": done, loadavg " + loadAverage());
        }
        finally
        {
            for (final MemberJvm member : slots)
            {
                member.close();
            }
            for (final MemberJvm member : retired)
            {
                member.close();
            }
            Shell.tryRun(null, "ip", "netns", "delete", namespace);
        }
    }

    private void boot() throws IOException
    {
        for (int i = 0; i < size; i++)
        {
            final long launchMs = System.currentTimeMillis();
            final MemberJvm member = launch("m" + i, i);
            slots.add(member);
            await("m" + i + " started", 60_000, member::started);
            if (i > 0)
            {
                await("all " + (i + 1) + " list each other", 60_000, () -> converged(slots));
            }
            if (i == size - 1)
            {
                joinSeconds.add((allListedAtMs(slots, member) - launchMs) / 1000.0);
            }
        }
    }

    private void load() throws IOException
    {
        final long[] lo0 = loCounters();
        final long[] cpu0 = cpuTicks();
        final Map<String, Long> counters0 = driverCounters();
        final long start = System.nanoTime();
        pause(60_000);
        final double seconds = (System.nanoTime() - start) / 1e9;
        final long[] lo1 = loCounters();
        final long[] cpu1 = cpuTicks();
        final Map<String, Long> counters1 = driverCounters();
        for (final String name : COUNTER_ROWS)
        {
            if (counters0.containsKey(name) && counters1.containsKey(name))
            {
                countersPerMemberSecond.put(name, (counters1.get(name) - counters0.get(name)) / seconds / size);
            }
        }
        packetsPerMemberSecond = (lo1[0] - lo0[0]) / seconds / size;
        bytesPerMemberSecond = (lo1[1] - lo0[1]) / seconds / size;
        long ticks = 0;
        for (int i = 0; i < size; i++)
        {
            ticks += cpu1[i] - cpu0[i];
        }
        cpuPercent = ticks / 100.0 / seconds / size * 100; // USER_HZ is 100 on Linux
        long rssKb = 0;
        for (final MemberJvm member : slots)
        {
            rssKb += rssKb(member.pid());
        }
        rssMb = rssKb / 1024.0 / size;
        log(String.format(Locale.ROOT, "N=%d: load %.2f packets, %.0f bytes per member per second; counters %s", size,
            packetsPerMemberSecond, bytesPerMemberSecond, countersPerMemberSecond));
    }

    private void killTrial(final int slot) throws IOException, InterruptedException
    {
        final MemberJvm victim = slots.get(slot);
        final List<MemberJvm> survivors = new ArrayList<>(slots);
        survivors.remove(victim);
        final long killMs = System.currentTimeMillis();
        victim.kill();
        await("every survivor declares " + victim.id() + " dead", 120_000,
            () -> survivors.stream().allMatch(s -> s.hasEvent("dead", victim.id())));
        long firstSuspect = Long.MAX_VALUE;
        final List<Long> dead = new ArrayList<>();
        for (final MemberJvm survivor : survivors)
        {
            for (final Map<String, Object> e : survivor.events())
            {
                if (victim.id().equals(e.get("member")) && e.get("time") instanceof Long time && time >= killMs)
                {
                    if ("suspected".equals(e.get("event")) || "dead".equals(e.get("event")))
                    {
                        firstSuspect = Math.min(firstSuspect, time);
                    }
                    if ("dead".equals(e.get("event")))
                    {
                        dead.add(time);
                        break;
                    }
                }
            }
        }
        dead.sort(null);
        firstSuspectSeconds.add((firstSuspect - killMs) / 1000.0);
        medianDeadSeconds.add((dead.get(dead.size() / 2) - killMs) / 1000.0);
        lastDeadSeconds.add((dead.get(dead.size() - 1) - killMs) / 1000.0);
        log(String.format(Locale.ROOT, "N=%d: kill %s: first suspect %.2f s, dead median %.2f s, last %.2f s", size,
            victim.id(), lastOf(firstSuspectSeconds), lastOf(medianDeadSeconds), lastOf(lastDeadSeconds)));

        // The slot comes back as a new member (new id, same port), as in the anchor.
        retired.add(victim);
        final long launchMs = System.currentTimeMillis();
        final MemberJvm fresh = launch(victim.id() + "r" + retired.size(), slot);
        slots.set(slot, fresh);
        await(fresh.id() + " joins", 60_000, () -> converged(slots));
        joinSeconds.add((allListedAtMs(slots, fresh) - launchMs) / 1000.0);
        pause(5_000);
    }

    private void falsePositives() throws IOException, InterruptedException
    {
        final long startMs = System.currentTimeMillis();
        final List<Process> hogs = new ArrayList<>();
        final int[] stopped = { 1, size / 2, size - 1, size / 2 + 1 };
        final long[] stopAt = new long[stopped.length];
        try
        {
            pauseUntil(startMs + 5_000);
            for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++)
            {
                hogs.add(new ProcessBuilder("timeout", "40", "bash", "-c", "while :; do :; done").start());
            }
            for (int i = 0; i < stopped.length; i++)
            {
                pauseUntil(startMs + 55_000 + 15_000L * i);
                final MemberJvm member = slots.get(stopped[i]);
                stopAt[i] = System.currentTimeMillis();
                member.signal("STOP");
                pause(STOP_MS);
                member.signal("CONT");
            }
            pauseUntil(startMs + 140_000);
        }
        finally
        {
            for (final Process hog : hogs)
            {
                hog.destroyForcibly();
            }
        }

        final long hogStart = startMs + 5_000;
        final long hogEnd = startMs + 45_000 + 10_000;
        for (int i = 0; i < stopped.length; i++)
        {
            final String id = slots.get(stopped[i]).id();
            boolean suspected = false;
            for (final MemberJvm observer : slots)
            {
                for (final Map<String, Object> e : observer.events())
                {
                    if ("suspected".equals(e.get("event")) && id.equals(e.get("member")) &&
                        e.get("time") instanceof Long time && time >= stopAt[i] && time < stopAt[i] + 10_000)
                    {
                        suspected = true;
                        suspectEventsOnStops++;
                    }
                }
            }
            stopsSuspected += suspected ? 1 : 0;
        }
        for (final MemberJvm observer : slots)
        {
            for (final Map<String, Object> e : observer.events())
            {
                if (!(e.get("time") instanceof Long time) || time < startMs)
                {
                    continue;
                }
                if ("dead".equals(e.get("event")))
                {
                    wrongRemovals++;
                    notes.append(observer.id()).append(" declared ").append(e.get("member")).append(" dead; ");
                }
                else if ("suspected".equals(e.get("event")))
                {
                    if (time >= hogStart && time < hogEnd)
                    {
                        suspectEventsUnderHogs++;
                    }
                    else if (!nearStop(time, stopAt))
                    {
                        otherSuspicions++;
                    }
                }
            }
        }
        log("N=" + size + ": false positives: " + stopsSuspected + "/4 stops suspected, " + suspectEventsUnderHogs +
            " suspicions under CPU hogs, " + wrongRemovals + " wrong removals " + notes);
    }

    private static boolean nearStop(final long time, final long[] stopAt)
    {
        for (final long at : stopAt)
        {
            if (time >= at && time < at + 10_000)
            {
                return true;
            }
        }
        return false;
    }

    private MemberJvm launch(final String id, final int slot) throws IOException
    {
        final String seed = slot == 0 ? null : "127.0.0.1:" + BASE_PORT;
        final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        command.addAll(MemberJvm.runCommand(id, "127.0.0.1:" + (BASE_PORT + slot), seed, MEMBER_ARGS));
        return MemberJvm.start(id, command);
    }

    /**
     * When every member first listed everyone: the newcomer's last joined event about another member, and each
     * other member's joined event about the newcomer.
     */
    private static long allListedAtMs(final List<MemberJvm> members, final MemberJvm newcomer)
    {
        long latest = 0;
        for (final MemberJvm member : members)
        {
            for (final Map<String, Object> e : member.events())
            {
                if ("joined".equals(e.get("event")) && e.get("time") instanceof Long time &&
                    (member == newcomer || newcomer.id().equals(e.get("member"))))
                {
                    latest = Math.max(latest, time);
                }
            }
        }
        return latest;
    }

    private static boolean converged(final List<MemberJvm> members)
    {
        for (final MemberJvm observer : members)
        {
            for (final MemberJvm other : members)
            {
                final String last = observer.lastEventAbout(other.id());
                if (observer != other && !("joined".equals(last) || "alive".equals(last) || "updated".equals(last)))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private long[] loCounters()
    {
        for (final String line : Shell.run("ip", "netns", "exec", namespace, "cat", "/proc/net/dev").split("\n"))
        {
            final String trimmed = line.strip();
            if (trimmed.startsWith("lo:"))
            {
                final String[] fields = trimmed.substring(3).strip().split("\\s+");
                return new long[]{ Long.parseLong(fields[9]), Long.parseLong(fields[8]) }; // tx packets, tx bytes
            }
        }
        throw new IllegalStateException("no lo in " + namespace);
    }

    /**
     * The sum over the members of each counter in their embedded drivers' counters files: the driver's system
     * counters and the transport's, each member's found by the pid the driver wrote into its cnc.dat. Members
     * whose file is not found (an external driver) are left out, and then so is the row.
     */
    private Map<String, Long> driverCounters()
    {
        final Map<String, Long> sums = new HashMap<>();
        int found = 0;
        for (int i = 0; i < size; i++)
        {
            final File dir = driverDirectory(BASE_PORT + i, slots.get(i).pid());
            if (null == dir)
            {
                continue;
            }
            final MappedByteBuffer cnc = IoUtil.mapExistingFile(new File(dir, CncFileDescriptor.CNC_FILE), "cnc");
            try
            {
                final DirectBuffer meta = CncFileDescriptor.createMetaDataBuffer(cnc);
                final CountersReader reader = new CountersReader(
                    CncFileDescriptor.createCountersMetaDataBuffer(cnc, meta),
                    CncFileDescriptor.createCountersValuesBuffer(cnc, meta), StandardCharsets.US_ASCII);
                reader.forEach((value, id, label) ->
                {
                    final int colon = label.indexOf(':');
                    final String name = label.startsWith("swimlog membership ") && colon > 0 ?
                        label.substring(0, colon) : label;
                    sums.merge(name, value, Long::sum);
                });
                found++;
            }
            finally
            {
                IoUtil.unmap(cnc);
            }
        }
        return found == size ? sums : Map.of();
    }

    private static List<String> memberArgs(final String extra)
    {
        final List<String> args = new ArrayList<>(List.of("--profile", "lan"));
        if (!extra.isBlank())
        {
            args.addAll(Arrays.asList(extra.trim().split("\\s+")));
        }
        return args;
    }

    private static File driverDirectory(final int port, final long pid)
    {
        final File[] dirs = new File(SHM).listFiles(
            (parent, name) -> name.startsWith("swimlog-membership-127.0.0.1_" + port + "-"));
        if (null == dirs)
        {
            return null;
        }
        for (final File dir : dirs)
        {
            final File cncFile = new File(dir, CncFileDescriptor.CNC_FILE);
            if (!cncFile.isFile() || cncFile.length() < CncFileDescriptor.META_DATA_LENGTH)
            {
                continue;
            }
            final MappedByteBuffer cnc = IoUtil.mapExistingFile(cncFile, "cnc");
            try
            {
                if (CncFileDescriptor.createMetaDataBuffer(cnc).getLong(CncFileDescriptor.pidOffset(0)) == pid)
                {
                    return dir;
                }
            }
            finally
            {
                IoUtil.unmap(cnc);
            }
        }
        return null;
    }

    private long[] cpuTicks() throws IOException
    {
        final long[] ticks = new long[size];
        for (int i = 0; i < size; i++)
        {
            final String stat = Files.readString(Path.of("/proc/" + slots.get(i).pid() + "/stat"));
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks[i] = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
        }
        return ticks;
    }

    private static long rssKb(final long pid) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static String table(final List<SideBySideBenchmark> runs)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-48s", "metric \\ members"));
        for (final SideBySideBenchmark r : runs)
        {
            sb.append(String.format(Locale.ROOT, "%-26s", "N=" + r.size));
        }
        sb.append('\n');
        row(sb, runs, "join: launch last JVM -> all list N (s)", r -> summary(r.joinSeconds));
        row(sb, runs, "  join samples (boot + re-joins)", r -> Integer.toString(r.joinSeconds.size()));
        row(sb, runs, "FD: kill -9 -> first suspect (s)", r -> summary(r.firstSuspectSeconds));
        row(sb, runs, "FD: kill -9 -> dead, median survivor (s)", r -> summary(r.medianDeadSeconds));
        row(sb, runs, "FD: kill -9 -> dead, last survivor (s)", r -> summary(r.lastDeadSeconds));
        row(sb, runs, "FP: suspicion events, CPU hogs", r -> Integer.toString(r.suspectEventsUnderHogs));
        row(sb, runs, "FP: suspicion events, other/quiet", r -> Integer.toString(r.otherSuspicions));
        row(sb, runs, "FP: SIGSTOP 1.5s -> suspected (of stops)", r -> r.stopsSuspected + "/4");
        row(sb, runs, "FP: suspect events on stopped members", r -> Integer.toString(r.suspectEventsOnStops));
        row(sb, runs, "FP: wrong removals (dead events)", r -> Integer.toString(r.wrongRemovals));
        row(sb, runs, "load: lo packets /member/s (netns)", r -> String.format(Locale.ROOT, "%.2f", r.packetsPerMemberSecond));
        row(sb, runs, "load: lo bytes /member/s (netns)", r -> String.format(Locale.ROOT, "%.0f", r.bytesPerMemberSecond));
        for (final String name : COUNTER_ROWS)
        {
            row(sb, runs, "load: " + name.replace("swimlog membership ", "") + " /member/s", r ->
                r.countersPerMemberSecond.containsKey(name) ?
                String.format(Locale.ROOT, "%.2f", r.countersPerMemberSecond.get(name)) : "-");
        }
        row(sb, runs, "load: CPU % of one core /member", r -> String.format(Locale.ROOT, "%.2f", r.cpuPercent));
        row(sb, runs, "load: RSS MB /member", r -> String.format(Locale.ROOT, "%.1f", r.rssMb));
        sb.append("cells: median (min-max); Swimlog 'membership run --profile lan', one JVM per member, 127.0.0.1 in a netns\n");
        return sb.toString();
    }

    private static void row(
        final StringBuilder sb, final List<SideBySideBenchmark> runs, final String name,
        final java.util.function.Function<SideBySideBenchmark, String> cell)
    {
        sb.append(String.format(Locale.ROOT, "%-48s", name));
        for (final SideBySideBenchmark r : runs)
        {
            sb.append(String.format(Locale.ROOT, "%-26s", cell.apply(r)));
        }
        sb.append('\n');
    }

    private static String summary(final List<Double> values)
    {
        if (values.isEmpty())
        {
            return "-";
        }
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2] :
            (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", median, sorted[0], sorted[sorted.length - 1]);
    }

    private static double lastOf(final List<Double> values)
    {
        return values.get(values.size() - 1);
    }

    private static String loadAverage()
    {
        try
        {
            return Arrays.toString(Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
        }
        catch (final IOException ex)
        {
            return "?";
        }
    }

    private static void log(final String message)
    {
        System.err.println(java.time.Instant.now() + " " + message);
    }

    private static void await(final String what, final long timeoutMs, final java.util.function.BooleanSupplier condition)
    {
        FaultCluster.await(what, timeoutMs, condition);
    }

    private static void pauseUntil(final long epochMs)
    {
        pause(Math.max(0, epochMs - System.currentTimeMillis()));
    }

    private static void pause(final long ms)
    {
        try
        {
            TimeUnit.MILLISECONDS.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}
