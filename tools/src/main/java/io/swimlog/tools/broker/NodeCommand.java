package io.swimlog.tools.broker;

import io.swimlog.broker.BrokerContext;
import io.swimlog.broker.BrokerNode;
import io.swimlog.broker.BrokerThreadingMode;
import io.swimlog.broker.MemberDirectory;
import io.swimlog.membership.Member;
import io.swimlog.membership.Membership;
import io.swimlog.membership.MembershipContext;
import io.swimlog.storage.FlushPolicy;
import io.swimlog.tools.ShutdownSignal;
import io.swimlog.tools.membership.MembershipRunCommand;
import org.agrona.CloseHelper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * {@code swimlog node}: one broker node. It joins the membership on its endpoint (stream 10), serves clients on
 * the same endpoint (stream 20) and keeps its partition logs and topic metadata in the data directory. SIGTERM or
 * Ctrl-C stops it cleanly: leave the membership, flush and close the logs, exit 0.
 */
@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run a broker node: joins the membership and serves topics on one UDP endpoint.")
public final class NodeCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "Member and broker id.")
    String id;

    @Option(names = "--bind", required = true, paramLabel = "HOST:PORT", description = "UDP endpoint to serve on.")
    String bind;

    @Option(names = "--seeds", paramLabel = "HOST:PORT,...", split = ",",
        description = "Other nodes to join the membership through.")
    List<String> seeds = new ArrayList<>();

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
        description = "Where partition logs and topic metadata live; reused across restarts.")
    File dataDir;

    @Option(names = "--controller", description = "Run the metadata controller. With one broker, every node " +
        "keeps its own metadata; the replicated controller comes with replication.")
    boolean controller;

    @Option(names = "--flush", paramLabel = "never|interval|always", defaultValue = "never",
        description = "When logs force to disk before a produce is acknowledged (default: ${DEFAULT-VALUE}).")
    String flush;

    @Option(names = "--segment-bytes", paramLabel = "BYTES",
        description = "Size at which a partition's log rolls to a new segment, at least the largest batch " +
            "(default: 256 MiB).")
    Integer segmentBytes;

    @Option(names = "--retention-bytes", paramLabel = "BYTES",
        description = "Keep each partition's log within this size by deleting its oldest segments; -1: no limit " +
            "(default: -1).")
    Long retentionBytes;

    @Option(names = "--retention-ms", paramLabel = "MS",
        description = "Delete segments whose records are all older than this; -1: keep forever (default: 7 days).")
    Long retentionMs;

    @Option(names = "--threading", paramLabel = "dedicated|shared", defaultValue = "dedicated",
        description = "dedicated: the embedded media driver and the broker each on a thread (throughput); " +
            "shared: the broker's thread runs the driver too, with fewer hand-offs per request (latency). " +
            "Default: ${DEFAULT-VALUE}.")
    String threading;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "Use the media driver running in DIR (see 'swimlog driver') instead of embedding one " +
            "(as -Daeron.dir=DIR does).")
    String aeronDir = System.getProperty("aeron.dir");

    @Option(names = "--mtu", paramLabel = "BYTES", defaultValue = "0",
        description = "MTU of responses; 0 picks 65504 on loopback and 8192 elsewhere.")
    int mtu;

    public Integer call() throws Exception
    {
        final CommandLine commandLine = spec.commandLine();
        final PrintWriter out = commandLine.getOut();
        final PrintWriter err = commandLine.getErr();
        final FlushPolicy flushPolicy = parseChoice(commandLine, "--flush", flush, FlushPolicy.class);
        final BrokerContext brokerContext = new BrokerContext()
            .nodeId(id).bind(bind).dataDir(dataDir).flushPolicy(flushPolicy).mtu(mtu).seeds(seeds)
            .retentionBytes(retentionBytes).retentionMs(retentionMs)
            .threadingMode(parseChoice(commandLine, "--threading", threading, BrokerThreadingMode.class))
            .aeronDirectoryName(aeronDir)
            .errorHandler(MembershipRunCommand.errorPrinter(err));
        if (null != segmentBytes)
        {
            brokerContext.segmentBytes(segmentBytes);
        }
        try
        {
            brokerContext.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(commandLine, ex.getMessage(), ex);
        }

        final ShutdownSignal signal = ShutdownSignal.register(out, err, 15_000);
        final AtomicReference<Membership> membershipRef = new AtomicReference<>();
        Membership membership = null;
        BrokerNode node = null;
        int exitCode = 1;
        try
        {
            // The broker first: in shared threading its thread runs the media driver that membership then uses
            // through a client of its own (a client's blocking calls must not run the driver from two threads).
            node = BrokerNode.start(brokerContext, directory(membershipRef::get, id, bind));
            membership = MembershipRunCommand.start(commandLine, new MembershipContext()
                .memberId(id)
                .bind(bind)
                .seeds(seeds)
                .aeronDirectoryName(node.aeronDirectoryName())
                .errorHandler(MembershipRunCommand.errorPrinter(err)));
            membershipRef.set(membership);
            out.println("swimlog node " + id + " serving on " + bind + " (data in " + dataDir + ", flush " +
                flushPolicy.name().toLowerCase(Locale.ROOT) + ", threading " +
                brokerContext.threadingMode().name().toLowerCase(Locale.ROOT) + ")");
            out.flush();

            signal.awaitStopRequest(Long.MAX_VALUE);
            membership.leave(Duration.ofSeconds(2));
            exitCode = 0;
            return exitCode;
        }
        finally
        {
            CloseHelper.closeAll(membership, node);
            signal.stopped(exitCode);
        }
    }

    /**
     * @return the membership's view, as the broker reports it to clients.
     */
    public static MemberDirectory directory(final Membership membership)
    {
        return directory(() -> membership, membership.localMemberId(), null);
    }

    /**
     * @return the view of the membership {@code membership} supplies, or this node alone until there is one.
     */
    static MemberDirectory directory(final Supplier<Membership> membership, final String id, final String bind)
    {
        return () ->
        {
            final Membership current = membership.get();
            if (null == current)
            {
                return List.of(new MemberDirectory.MemberInfo(id, bind, 0, 0, new byte[0]));
            }
            final List<MemberDirectory.MemberInfo> members = new ArrayList<>();
            for (final Member member : current.members())
            {
                members.add(new MemberDirectory.MemberInfo(member.id(), member.endpoint(), member.incarnation(),
                    member.state().ordinal(), member.metadata()));
            }
            return members;
        };
    }

    /**
     * @return the constant of {@code type} named {@code value} in any case; anything else is a usage error that
     *         lists the choices.
     */
    static <E extends Enum<E>> E parseChoice(
        final CommandLine commandLine, final String flag, final String value, final Class<E> type)
    {
        final E[] choices = type.getEnumConstants();
        for (final E choice : choices)
        {
            if (choice.name().equalsIgnoreCase(value))
            {
                return choice;
            }
        }
        final StringBuilder names = new StringBuilder();
        for (int i = 0; i < choices.length; i++)
        {
            names.append(i == 0 ? "" : i == choices.length - 1 ? " or " : ", ")
                .append(choices[i].name().toLowerCase(Locale.ROOT));
        }
        throw new CommandLine.ParameterException(commandLine,
            flag + " must be " + names + ", not '" + value + "'");
    }
}
