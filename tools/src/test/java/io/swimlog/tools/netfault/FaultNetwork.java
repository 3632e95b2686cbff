package io.swimlog.tools.netfault;

import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small real network for fault tests: one network namespace per member, each with a veth pair whose other end
 * is a port of a bridge in a namespace of its own. Addresses are {@code 10.77.0.1}, {@code 10.77.0.2}, ... and
 * exist only inside these namespaces, so nothing on the host can reach them or be reached by them.
 * <p>
 * Faults are nftables rules in a member's own namespace (this kernel has no {@code tc netem}): random loss of
 * datagrams arriving at the member ({@code numgen random}), a one-way cut (arrivals dropped, sends pass), a total
 * cut, and a partition (datagrams to and from a set of addresses dropped). Every drop rule counts what it dropped,
 * so a test can show that its fault was in force.
 * <p>
 * Invariant: {@link #close()} deletes every namespace this instance created (which also removes the veths, the
 * bridge and the rules inside them), whether the test passed or not; it must be called after the processes in
 * the namespaces are gone. Not thread safe: used from the test thread.
 */
final class FaultNetwork implements AutoCloseable
{
    private static final String SUBNET = "10.77.0.";
    private static final String TABLE = "swimlog_fault";
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+)");

    private final String prefix;
    private final String bridgeNamespace;
    private final List<String> namespaces = new ArrayList<>();

    private FaultNetwork(final String prefix)
    {
        this.prefix = prefix;
        this.bridgeNamespace = prefix + "br";
    }

    /**
     * Skips the calling test (JUnit assumption) unless it runs as root with {@code ip} and {@code nft}.
     */
    static void assumeAvailable()
    {
        Assumptions.assumeTrue(isRoot(),
            "network fault tests need root (network namespaces, nftables); running as " + System.getProperty("user.name"));
        Assumptions.assumeTrue(Shell.available("ip", "-V"),
            "network fault tests need iproute2 ('ip'): apt-get install iproute2");
        Assumptions.assumeTrue(Shell.available("nft", "--version"),
            "network fault tests need nftables ('nft'): apt-get install nftables");
    }

    static boolean isRoot()
    {
        try
        {
            return "0".equals(Shell.run("id", "-u").strip());
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * Builds {@code members} namespaces joined through a bridge; on any failure removes what it made and throws.
     */
    static FaultNetwork create(final int members)
    {
        if (members < 1 || members > 200)
        {
            throw new IllegalArgumentException("members must be 1 to 200: " + members);
        }
        // Unique per JVM and instance, and short: namespace names are file names, link names stay fixed inside them.
        final String prefix = "swf" + ProcessHandle.current().pid() % 100_000 + "x" + INSTANCES.incrementAndGet();
        final FaultNetwork network = new FaultNetwork(prefix);
        try
        {
            network.addNamespace(network.bridgeNamespace);
            Shell.run("ip", "-n", network.bridgeNamespace, "link", "add", "br0", "type", "bridge");
            Shell.run("ip", "-n", network.bridgeNamespace, "link", "set", "br0", "up");
            for (int i = 0; i < members; i++)
            {
                final String ns = prefix + "m" + i;
                network.addNamespace(ns);
                Shell.run("ip", "-n", network.bridgeNamespace, "link", "add", "v" + i, "type", "veth",
                    "peer", "name", "eth0", "netns", ns);
                Shell.run("ip", "-n", network.bridgeNamespace, "link", "set", "v" + i, "master", "br0", "up");
                Shell.run("ip", "-n", ns, "addr", "add", network.address(i) + "/24", "dev", "eth0");
                Shell.run("ip", "-n", ns, "link", "set", "eth0", "up");
                Shell.run("ip", "-n", ns, "link", "set", "lo", "up");
                network.resetRules(i);
            }
            return network;
        }
        catch (final RuntimeException ex)
        {
            network.close();
            throw ex;
        }
    }

    int size()
    {
        return namespaces.size() - 1;
    }

    String namespace(final int member)
    {
        return namespaces.get(member + 1);
    }

    String address(final int member)
    {
        return SUBNET + (member + 1);
    }

    /**
     * {@code command} prefixed so that it runs inside the member's namespace.
     */
    List<String> inNamespace(final int member, final List<String> command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace(member)));
        full.addAll(command);
        return full;
    }

    /**
     * Drops each datagram arriving at the member with probability {@code percent}/100. Applied to every member,
     * this is that loss on every link, once per datagram (it is dropped at the receiver).
     */
    void loseIncoming(final int member, final int percent)
    {
        if (percent < 1 || percent > 100)
        {
            throw new IllegalArgumentException("percent must be 1 to 100: " + percent);
        }
        nft(member, "add rule inet " + TABLE + " input iifname \"eth0\" meta l4proto udp numgen random mod 100 < " +
            percent + " counter drop");
    }

    /**
     * One-way cut: the member can send but receives nothing from the network.
     */
    void cutIncoming(final int member)
    {
        nft(member, "add rule inet " + TABLE + " input iifname \"eth0\" counter drop");
    }

    /**
     * Total cut: nothing in, nothing out.
     */
    void cut(final int member)
    {
        cutIncoming(member);
        nft(member, "add rule inet " + TABLE + " output oifname \"eth0\" counter drop");
    }

    /**
     * Splits the members into {@code sideA} and everyone else: datagrams between the two sides are dropped in both
     * directions (at both ends, so a side is cut off even from a member that has no rules).
     */
    void partition(final Collection<Integer> sideA)
    {
        for (int i = 0; i < size(); i++)
        {
            final List<String> blocked = new ArrayList<>();
            for (int j = 0; j < size(); j++)
            {
                if (sideA.contains(i) != sideA.contains(j))
                {
                    blocked.add(address(j));
                }
            }
            if (!blocked.isEmpty())
            {
                nft(i, "add element inet " + TABLE + " blocked { " + String.join(", ", blocked) + " }");
            }
        }
    }

    /**
     * Removes every fault of the member: its rules go back to accepting everything.
     */
    void heal(final int member)
    {
        resetRules(member);
    }

    void healAll()
    {
        for (int i = 0; i < size(); i++)
        {
            heal(i);
        }
    }

    /**
     * Packets dropped by the member's fault rules since they were last reset.
     */
    long droppedPackets(final int member)
    {
        final Matcher matcher = COUNTER.matcher(
            Shell.run(inNamespace(member, List.of("nft", "list", "table", "inet", TABLE)), null));
        long total = 0;
        while (matcher.find())
        {
            total += Long.parseLong(matcher.group(1));
        }
        return total;
    }

    /**
     * Deletes every namespace this instance made; kill the processes inside first. Throws after trying all.
     */
    public void close()
    {
        RuntimeException failure = null;
        for (int i = namespaces.size() - 1; i >= 0; i--)
        {
            failure = Shell.tryRun(failure, "ip", "netns", "delete", namespaces.get(i));
        }
        namespaces.clear();
        if (null != failure)
        {
            throw failure;
        }
    }

    public String toString()
    {
        return "FaultNetwork{" + prefix + ", members=" + size() + '}';
    }

    private void addNamespace(final String name)
    {
        Shell.run("ip", "netns", "add", name);
        namespaces.add(name);
    }

    private void resetRules(final int member)
    {
        final String rules =
            "table inet " + TABLE + " {}\n" +
            "delete table inet " + TABLE + "\n" +
            "table inet " + TABLE + " {\n" +
            "  set blocked { type ipv4_addr; }\n" +
            "  chain input { type filter hook input priority 0; policy accept;\n" +
            "    ip saddr @blocked counter drop\n" +
            "  }\n" +
            "  chain output { type filter hook output priority 0; policy accept;\n" +
            "    ip daddr @blocked counter drop\n" +
            "  }\n" +
            "}\n";
        Shell.run(inNamespace(member, List.of("nft", "-f", "-")), rules);
    }

    private void nft(final int member, final String command)
    {
        Shell.run(inNamespace(member, List.of("nft", "-f", "-")), command + "\n");
    }
}
