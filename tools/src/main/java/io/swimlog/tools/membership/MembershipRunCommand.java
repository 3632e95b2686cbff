package io.swimlog.tools.membership;

import io.swimlog.membership.Endpoints;
import io.swimlog.membership.Keyring;
import io.swimlog.membership.Membership;
import io.swimlog.membership.MembershipContext;
import io.swimlog.membership.MembershipProfile;
import io.swimlog.membership.Transport;
import io.swimlog.membership.aeron.AeronTransport;
import io.swimlog.membership.udp.UdpTransport;
import io.swimlog.tools.ShutdownSignal;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code swimlog membership run}: one standalone member over Aeron UDP (or plain UDP with {@code --transport udp}),
 * printing what it sees until it is told to stop (SIGTERM / SIGINT), then leaving the cluster gracefully and
 * exiting 0.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Run one SWIM member over Aeron UDP (with an embedded media driver), or plain UDP with --transport udp, " +
            "and print one line per membership event until SIGTERM or SIGINT; then leave the cluster gracefully " +
            "and exit 0.",
        "With --json, each line is a JSON object: {\"time\": epoch-ms, \"event\": " +
            "\"joined|updated|suspected|alive|dead|left\", \"member\": ID, \"incarnation\": N, " +
            "\"address\": \"host:port\"}; the first line is {\"event\": \"started\", \"member\", \"address\"} " +
            "and the last {\"event\": \"stopped\", \"left\"}; {\"event\": \"warning\", \"message\"} reports what an " +
            "operator should see (a peer reachable only indirectly)."
    })
public final class MembershipRunCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "Member id, unique in the cluster.")
    String id;

    @Option(names = "--bind", required = true, paramLabel = "HOST:PORT",
        description = "Where this member listens and is reached (port 0: any free port, printed when started).")
    String bind;

    @Option(names = "--seeds", split = ",", paramLabel = "HOST:PORT",
        description = "Members to join through, comma separated; none to start a new cluster.")
    List<String> seeds = new ArrayList<>();

    @Option(names = "--key", paramLabel = "BASE64[,BASE64...]",
        description = "AES-GCM keys (16, 24 or 32 bytes each): the first encrypts, all are accepted.")
    String key;

    @Option(names = "--cluster", paramLabel = "NAME", defaultValue = MembershipContext.DEFAULT_CLUSTER_NAME,
        description = "Cluster name carried in every datagram; other clusters' datagrams are dropped " +
            "(default: ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--json", description = "One JSON object per line.")
    boolean json;

    @Option(names = "--profile", paramLabel = "lan|wan|local", defaultValue = "lan",
        description = "Timing preset, memberlist's values (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--probe-interval-ms", paramLabel = "MS", description = "Overrides the profile's probe interval.")
    Long probeIntervalMs;

    @Option(names = "--probe-timeout-ms", paramLabel = "MS", description = "Overrides the profile's probe timeout.")
    Long probeTimeoutMs;

    @Option(names = "--suspicion-mult", paramLabel = "N", description = "Overrides the profile's suspicion multiplier.")
    Integer suspicionMult;

    @Option(names = "--gossip-interval-ms", paramLabel = "MS", description = "Overrides the profile's gossip interval.")
    Long gossipIntervalMs;

    @Option(names = "--retransmit-mult", paramLabel = "N",
        description = "Overrides the profile's retransmit multiplier (each update is sent N * log10(members) times).")
    Integer retransmitMult;

    @Option(names = "--push-pull-interval-ms", paramLabel = "MS",
        description = "Overrides the profile's full-state exchange interval.")
    Long pushPullIntervalMs;

    @Option(names = "--leave-timeout-ms", paramLabel = "MS", defaultValue = "3000",
        description = "How long to wait for the leave to reach peers when stopping (default: ${DEFAULT-VALUE}).")
    long leaveTimeoutMs;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "Use the external media driver in DIR instead of an embedded one (as -Daeron.dir=DIR does).")
    String aeronDirectoryName;

    @Option(names = "--transport", paramLabel = "aeron|udp", defaultValue = "aeron",
        description = "aeron: Aeron UDP, lost datagrams retransmitted, a media driver (default); udp: plain UDP " +
            "datagrams from one socket, no driver, nothing on the wire but the protocol (default: ${DEFAULT-VALUE}).")
    String transport;

    public Integer call() throws Exception
    {
        final MembershipContext ctx = context();
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final EventPrinter printer = new EventPrinter(out, json);
        // leave() below waits for the leave; close() then need not wait a second time.
        ctx.memberId(id).listener(printer.listener(null)).errorHandler(errorPrinter(err)).leaveTimeoutMs(0);

        final ShutdownSignal signal = ShutdownSignal.register(out, err, leaveTimeoutMs + 10_000);
        int exitCode = 1;
        try
        {
            boolean left = false;
            final Membership membership = "udp".equals(transport) ?
                startOverUdp(spec.commandLine(), ctx) : start(spec.commandLine(), ctx);
            try (membership)
            {
                printer.printStarted(id, ctx.bind(), "cluster " + cluster + ", profile " +
                    profile.toLowerCase(Locale.ROOT) +
                    (seeds.isEmpty() ? ", no seeds" : ", seeds " + String.join(",", seeds)));
                while (!signal.isStopRequested())
                {
                    printer.printPending(100);
                }
                left = membership.leave(Duration.ofMillis(leaveTimeoutMs));
                printer.printPending(0);
            }
            printer.printPending(0);
            printer.printStopped(id, left);
            exitCode = 0;
            return exitCode;
        }
        finally
        {
            signal.stopped(exitCode);
        }
    }

    /**
     * The member's context from the command-line options, every option checked: a bad one is a usage error.
     */
    private MembershipContext context()
    {
        try
        {
            if (leaveTimeoutMs < 0)
            {
                throw new IllegalArgumentException("--leave-timeout-ms must not be negative");
            }
            if (!"aeron".equals(transport) && !"udp".equals(transport))
            {
                throw new IllegalArgumentException("--transport must be aeron or udp, not '" + transport + "'");
            }
            if ("udp".equals(transport) && null != aeronDirectoryName)
            {
                throw new IllegalArgumentException("--aeron-dir needs --transport aeron: plain UDP uses no driver");
            }
            Endpoints.requireHostPort(bind);
            for (final String seed : seeds)
            {
                Endpoints.requireHostPort(seed);
            }
            final MembershipContext ctx = new MembershipContext()
                .bind(bind)
                .seeds(seeds)
                .clusterName(cluster)
                .keyring(null == key ? null : Keyring.parse(key))
                .profile(parseProfile(profile));
            if (null != aeronDirectoryName)
            {
                ctx.aeronDirectoryName(aeronDirectoryName); // else the context's default: -Daeron.dir, if set
            }
            if (null != probeIntervalMs)
            {
                ctx.probeIntervalMs(probeIntervalMs);
            }
            if (null != probeTimeoutMs)
            {
                ctx.probeTimeoutMs(probeTimeoutMs);
            }
            if (null != suspicionMult)
            {
                ctx.suspicionMult(suspicionMult);
            }
            if (null != gossipIntervalMs)
            {
                ctx.gossipIntervalMs(gossipIntervalMs);
            }
            if (null != retransmitMult)
            {
                ctx.retransmitMult(retransmitMult);
            }
            if (null != pushPullIntervalMs)
            {
                ctx.pushPullIntervalMs(pushPullIntervalMs);
            }
            return ctx;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
    }

    /**
     * Starts a member over Aeron: its transport first, so that a bind port of 0 becomes the port actually bound
     * (what the member advertises), then the member, which owns and closes the transport. A setting that is
     * rejected is a usage error (exit 2); anything else, such as a port in use, a failure (exit 1).
     */
    public static Membership start(final CommandLine commandLine, final MembershipContext ctx)
    {
        return start(commandLine, ctx, () -> AeronTransport.launch(ctx));
    }

    /**
     * As {@link #start(CommandLine, MembershipContext)}, over plain UDP ({@link UdpTransport}).
     */
    static Membership startOverUdp(final CommandLine commandLine, final MembershipContext ctx)
    {
        return start(commandLine, ctx, () -> UdpTransport.open(ctx.bind()));
    }

    private static Membership start(
        final CommandLine commandLine, final MembershipContext ctx, final Supplier<Transport> launcher)
    {
        final Transport transport;
        try
        {
            transport = launcher.get();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(commandLine, ex.getMessage(), ex);
        }
        ctx.bind(transport.localEndpoint()).transport(transport).ownsTransport(true);
        try
        {
            return Membership.start(ctx);
        }
        catch (final RuntimeException ex)
        {
            transport.close();
            if (ex instanceof IllegalArgumentException)
            {
                throw new CommandLine.ParameterException(commandLine, ex.getMessage(), ex);
            }
            throw ex;
        }
    }

    /**
     * Errors of the member's thread, one line each on stderr: the member keeps running.
     */
    public static org.agrona.ErrorHandler errorPrinter(final PrintWriter err)
    {
        return ex ->
        {
            err.println("swimlog: " + (null != ex.getMessage() ? ex.getMessage() : ex.toString()));
            err.flush();
        };
    }

    public static MembershipProfile parseProfile(final String name)
    {
        try
        {
            return MembershipProfile.valueOf(name.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--profile must be lan, wan or local, not '" + name + "'");
        }
    }
}
