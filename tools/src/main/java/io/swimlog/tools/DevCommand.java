package io.swimlog.tools;

import io.swimlog.membership.Endpoints;
import io.swimlog.membership.Membership;
import io.swimlog.membership.MembershipContext;
import io.swimlog.membership.aeron.EmbeddedMediaDriver;
import io.swimlog.tools.broker.DevBroker;
import io.swimlog.tools.membership.EventPrinter;
import io.swimlog.tools.membership.MembershipRunCommand;
import org.agrona.CloseHelper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code swimlog dev}: a local cluster in one process, for trying Swimlog out: N members sharing one embedded
 * media driver, each on its own port, and a log broker on the first member's endpoint (stream 20 beside the
 * membership's stream 10) with a demo topic, its data in a temporary directory (deleted on exit) or in
 * {@code --data-dir} (kept, and reused on the next start).
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Start a local cluster in this process: N SWIM members sharing one embedded Aeron media driver, on the " +
            "port of --bind and the ports after it. Prints the seed address and how to join from another terminal, " +
            "then the membership events seen by the seed member until Ctrl-C; then every member leaves and it exits.",
        "A log broker serves on the first member's address with a topic named '" + DevBroker.DEMO_TOPIC + "'; " +
            "its data is in a temporary directory unless --data-dir names one to keep."
    })
public final class DevCommand implements Callable<Integer>
{
    private static final long LEAVE_TIMEOUT_MS = 2_000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7000",
        description = "Address of the first member; the others take the following ports (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "Members to start, 1 to 64 (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Directory for the broker's topics and partition logs, kept and reused across restarts " +
            "(default: a temporary directory, deleted on exit).")
    String dataDir;

    @Option(names = "--profile", paramLabel = "lan|wan|local", defaultValue = "lan",
        description = "Timing preset, memberlist's values (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--json", description = "Events as JSON objects, one per line (see 'membership run --help').")
    boolean json;

    public Integer call() throws Exception
    {
        final CommandLine commandLine = spec.commandLine();
        final int firstPort = checkedFirstPort(commandLine);
        final PrintWriter out = commandLine.getOut();
        final PrintWriter err = commandLine.getErr();
        final EventPrinter printer = new EventPrinter(out, json);
        final List<Membership> members = new ArrayList<>(nodes);
        final ShutdownSignal signal = ShutdownSignal.register(out, err, nodes * LEAVE_TIMEOUT_MS + 10_000);
        EmbeddedMediaDriver driver = null;
        DevBroker broker = null;
        int exitCode = 1;
        try
        {
            driver = EmbeddedMediaDriver.launch("dev", MembershipRunCommand.errorPrinter(err));
            final String seed = bind;
            for (int i = 0; i < nodes; i++)
            {
                final String id = "dev-" + (i + 1);
                final MembershipContext ctx = new MembershipContext()
                    .memberId(id)
                    .bind(Endpoints.withPort(bind, firstPort + i))
                    .seeds(0 == i ? List.of() : List.of(seed))
                    .profile(MembershipRunCommand.parseProfile(profile))
                    .aeron(driver.aeron())
                    .listener(0 == i ? printer.listener(null) : event -> {})
                    .errorHandler(MembershipRunCommand.errorPrinter(err))
                    .leaveTimeoutMs(0); // each leaves below, before close()
                members.add(MembershipRunCommand.start(commandLine, ctx));
            }

            broker = DevBroker.start(driver, seed, dataDir, members.get(0), err);
            printBanner(out, seed, driver.aeronDirectoryName());
            while (!signal.isStopRequested())
            {
                printer.printPending(100);
            }

            for (int i = members.size() - 1; i >= 0; i--)
            {
                members.get(i).leave(Duration.ofMillis(LEAVE_TIMEOUT_MS));
                printer.printPending(0);
            }
            exitCode = 0;
            return exitCode;
        }
        finally
        {
            CloseHelper.close(broker);
            CloseHelper.closeAll(members);
            CloseHelper.close(driver);
            printer.printPending(0);
            signal.stopped(exitCode);
        }
    }

    private int checkedFirstPort(final CommandLine commandLine)
    {
        try
        {
            final int port = Endpoints.requireHostPort(bind);
            if (nodes < 1 || nodes > 64)
            {
                throw new IllegalArgumentException("--nodes must be 1 to 64: " + nodes);
            }
            if (0 == port || port + nodes - 1 > 65535)
            {
                throw new IllegalArgumentException(
                    "--bind needs a port from 1 to " + (65536 - nodes) + " for " + nodes + " members");
            }
            MembershipRunCommand.parseProfile(profile);
            return port;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(commandLine, ex.getMessage(), ex);
        }
    }

    private void printBanner(final PrintWriter out, final String seed, final String aeronDirectoryName)
    {
        final String last = Endpoints.withPort(bind, Endpoints.port(bind) + nodes - 1);
        final String line1 = "swimlog dev: " + nodes + " members (dev-1 to dev-" + nodes + ") on " + bind +
            (nodes > 1 ? " to " + last : "") + ", profile " + profile.toLowerCase(Locale.ROOT) +
            ", one media driver in " + aeronDirectoryName;
        final String line2 = "seed: " + seed;
        final String line3 = "join from another terminal: bin/swimlog membership run --id x --bind " +
            Endpoints.withPort(bind, Math.min(65535, Endpoints.port(bind) + 100)) + " --seeds " + seed;
        final String line4 = DevBroker.banner(seed, dataDir);
        if (json)
        {
            out.println(new JsonLine()
                .field("time", System.currentTimeMillis())
                .field("event", "started")
                .field("member", "dev-1")
                .field("address", seed)
                .field("nodes", nodes)
                .field("bootstrap", seed)
                .field("topic", DevBroker.DEMO_TOPIC));
        }
        else
        {
            out.println(line1);
            out.println(line2);
            out.println(line3);
            out.println(line4);
            out.println("events seen by dev-1 follow; Ctrl-C to leave and exit");
        }
        out.flush();
    }
}
