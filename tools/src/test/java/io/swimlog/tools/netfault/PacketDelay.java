package io.swimlog.tools.netfault;

import io.swimlog.tools.FlatJson;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Delay with uniform jitter on one member's link, both ways, where the kernel has no {@code tc netem}: iptables
 * rules in the member's namespace send every UDP datagram leaving or arriving on its {@code eth0} to NFQUEUE
 * queue 0, and {@code nfqueue_delay.py} (a test resource, Python 3 standard library only) running in that same
 * namespace holds each one and lets it go ({@code NF_ACCEPT}) after {@code delay ± jitter} ms, drawn per packet.
 * <p>
 * Why iptables here when the other faults are nftables rules: this kernel has nfnetlink_queue built in but not
 * nftables' own {@code queue} expression ({@code nft add rule ... queue} fails with "No such file or directory");
 * the iptables (nf_tables backend) {@code NFQUEUE} target, run through nftables' xtables compatibility, works.
 * <p>
 * The queue is not fail-open (the delayer says why), so a packet is never let through undelayed: if the delayer
 * were gone the member would be cut off, which the tests would see. Order therefore matters: the delayer binds
 * the queue before the rules feed it, and the rules go before the delayer stops ({@link #close()}), which then
 * releases what it still holds.
 * <p>
 * Invariant: {@link #close()} removes the rules, stops the delayer (forcibly if it does not stop in 10 s) and
 * deletes the copied script, also after a failure; the namespace itself belongs to the {@link FaultNetwork}.
 * Threading: used from the test thread; the delayer's output goes to files, read on demand.
 */
final class PacketDelay implements AutoCloseable
{
    static final String SCRIPT = "/netfault/nfqueue_delay.py";
    private static final int QUEUE = 0;
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long STOP_TIMEOUT_MS = 10_000;

    private final FaultNetwork network;
    private final int member;
    private final Path script;
    private final Path statsFile;
    private final Path outFile;
    private final Path errFile;
    private final List<List<String>> rules = new ArrayList<>();
    private Process process;
    private boolean realTime;
    private Map<String, Object> finalStats;
    private String finalStderr;

    private PacketDelay(final FaultNetwork network, final int member, final Path script, final Path statsFile)
    {
        this.network = network;
        this.member = member;
        this.script = script;
        this.statsFile = statsFile;
        this.outFile = script.resolveSibling(script.getFileName() + ".out");
        this.errFile = script.resolveSibling(script.getFileName() + ".err");
    }

    /**
     * Skips the calling test (JUnit assumption) unless python3, iptables and a kernel with nfnetlink_queue and
     * the NFQUEUE target are there; the target is tried in a namespace made for the purpose and removed after.
     */
    static void assumeAvailable()
    {
        FaultNetwork.assumeAvailable();
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/net/netfilter/nfnetlink_queue")),
            "delay tests need the kernel's nfnetlink_queue (no /proc/net/netfilter/nfnetlink_queue here)");
        Assumptions.assumeTrue(Shell.available("python3", "--version"),
            "delay tests need python3 for the NFQUEUE delayer: apt-get install python3");
        Assumptions.assumeTrue(Shell.available("iptables", "-V"),
            "delay tests need iptables (NFQUEUE target): apt-get install iptables");
        final String probe = "swfq" + ProcessHandle.current().pid() % 100_000;
        String failure = null;
        try
        {
            Shell.run("ip", "netns", "add", probe);
            Shell.run("ip", "netns", "exec", probe, "iptables", "-A", "INPUT", "-p", "udp", "-j", "NFQUEUE",
                "--queue-num", "0");
        }
        catch (final RuntimeException ex)
        {
            failure = ex.getMessage();
        }
        finally
        {
            Shell.tryRun(null, "ip", "netns", "delete", probe);
        }
        Assumptions.assumeTrue(null == failure, "delay tests need the iptables NFQUEUE target: " + failure);
    }

    /**
     * Delays every UDP datagram to and from {@code member} by {@code delayMs ± jitterMs} (uniform, per packet).
     */
    static PacketDelay start(final FaultNetwork network, final int member, final long delayMs, final long jitterMs)
        throws IOException
    {
        final Path script = Files.createTempFile("nfqueue_delay", ".py");
        final PacketDelay delay = new PacketDelay(network, member, script,
            script.resolveSibling(script.getFileName() + ".stats"));
        try
        {
            try (InputStream in = PacketDelay.class.getResourceAsStream(SCRIPT))
            {
                if (null == in)
                {
                    throw new IllegalStateException("test resource missing: " + SCRIPT);
                }
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            final List<String> command = new ArrayList<>();
            delay.realTime = realTimeAvailable();
            if (delay.realTime)
            {
                // netem's timers fire in the kernel; a user-space delayer on a loaded machine would be late by
                // whole scheduler slices without a real-time priority. It sleeps between packets, so FIFO 10
                // cannot starve the machine (and the kernel's real-time throttling bounds it anyway).
                command.addAll(List.of("chrt", "-f", "10"));
            }
            command.addAll(List.of("python3", script.toString(), "--queue", Integer.toString(QUEUE),
                "--delay-ms", Long.toString(delayMs), "--jitter-ms", Long.toString(jitterMs), "--stats-ms", "1000",
                "--stats-file", delay.statsFile.toString()));
            // Files, not pipes: what a process writes just before it exits can be missed on a pipe by the time its
            // exit is seen, and these last lines (final counters, an error) are the ones that matter.
            delay.process = new ProcessBuilder(network.inNamespace(member, command))
                .redirectOutput(delay.outFile.toFile()).redirectError(delay.errFile.toFile()).start();
            FaultCluster.await("the delayer binds its queue", READY_TIMEOUT_MS, () ->
            {
                if (!delay.process.isAlive())
                {
                    throw new IllegalStateException("the delayer exited: " + delay.stderr());
                }
                return read(delay.outFile).contains("\"event\": \"ready\"");
            });
            delay.rule("INPUT", "-i");
            delay.rule("OUTPUT", "-o");
            return delay;
        }
        catch (final IOException | RuntimeException ex)
        {
            delay.close();
            throw ex;
        }
    }

    /**
     * Whether {@code chrt} can give a process a real-time (FIFO) priority here: util-linux and the capability.
     */
    static boolean realTimeAvailable()
    {
        return Shell.available("chrt", "-f", "10", "true");
    }

    boolean isAlive()
    {
        return null != process && process.isAlive();
    }

    /**
     * The delayer's latest counters (its stats file, rewritten every second and at exit), or an empty map before
     * the first; after {@link #close()}, its final counters.
     */
    Map<String, Object> stats()
    {
        if (null != finalStats)
        {
            return finalStats;
        }
        try
        {
            return Files.exists(statsFile) ? FlatJson.parse(Files.readString(statsFile)) : Map.of();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read the delayer's counters " + statsFile, ex);
        }
    }

    long count(final String field)
    {
        final Object value = stats().get(field);
        return value instanceof Long ? (Long)value : 0;
    }

    /**
     * Whether the delayer runs at a real-time priority (see {@link #realTimeAvailable()}).
     */
    boolean realTime()
    {
        return realTime;
    }

    /**
     * What the delayer wrote on stderr (errors), or an empty string.
     */
    String stderr()
    {
        return null != finalStderr ? finalStderr : read(errFile).strip();
    }

    /**
     * The delayer's exit status once it has stopped, else -1.
     */
    int exitValue()
    {
        return null == process || process.isAlive() ? -1 : process.exitValue();
    }

    /**
     * Removes the rules, then stops the delayer, which lets go of what it holds and prints its final counters.
     * Tries every step; throws the first failure after.
     */
    public void close()
    {
        RuntimeException failure = null;
        for (int i = rules.size() - 1; i >= 0; i--)
        {
            final List<String> add = rules.get(i);
            final List<String> delete = new ArrayList<>(add);
            delete.set(delete.indexOf("-A"), "-D");
            failure = Shell.tryRun(failure, network.inNamespace(member, delete).toArray(String[]::new));
        }
        rules.clear();
        if (null != process && process.isAlive())
        {
            process.destroy(); // SIGTERM: release everything held, print the final stats, unbind
            try
            {
                if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
                {
                    process.destroyForcibly();
                    process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    failure = chain(failure, new IllegalStateException("the delayer did not stop on SIGTERM"));
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        try
        {
            finalStats = stats();
            finalStderr = stderr();
            Files.deleteIfExists(outFile);
            Files.deleteIfExists(errFile);
            Files.deleteIfExists(script);
            Files.deleteIfExists(statsFile);
            Files.deleteIfExists(statsFile.resolveSibling(statsFile.getFileName() + ".tmp"));
        }
        catch (final IOException ex)
        {
            failure = chain(failure, new IllegalStateException("cannot delete " + script, ex));
        }
        if (null != failure)
        {
            throw failure;
        }
    }

    public String toString()
    {
        final String state = null == process ? "not started" : process.isAlive() ? "running" :
            "exited " + process.exitValue();
        return "PacketDelay{m" + member + ", " + state + (realTime ? ", FIFO 10, " : ", ") + stats() +
            ", stderr " + stderr() + '}';
    }

    private void rule(final String chain, final String interfaceFlag)
    {
        final List<String> command = List.of("iptables", "-A", chain, interfaceFlag, "eth0", "-p", "udp",
            "-j", "NFQUEUE", "--queue-num", Integer.toString(QUEUE));
        Shell.run(network.inNamespace(member, command), null);
        rules.add(command);
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file) : "";
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read " + file, ex);
        }
    }

    private static RuntimeException chain(final RuntimeException failure, final RuntimeException next)
    {
        if (null == failure)
        {
            return next;
        }
        failure.addSuppressed(next);
        return failure;
    }
}
