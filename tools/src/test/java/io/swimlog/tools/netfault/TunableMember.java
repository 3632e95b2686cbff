package io.swimlog.tools.netfault;

import io.swimlog.membership.Membership;
import io.swimlog.membership.MembershipContext;
import io.swimlog.membership.aeron.AeronTransport;
import io.swimlog.tools.membership.EventPrinter;
import io.swimlog.tools.membership.MembershipRunCommand;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A test-scope stand-in for {@code swimlog membership run --json} that also sets what the command has no flag
 * for: {@code --awareness-max-multiplier} (1 turns Lifeguard's local health score off: the score is clamped to
 * 0), {@code --push-pull-interval-ms} and {@code --reconnect-interval-ms}; with {@code --print-health true} it
 * also prints a line {@code {"time": MS, "event": "health", "score": N}} whenever its health score changes (checked
 * every 100 ms, so a change and its reversal within that time can go unseen). It starts the member as the command
 * does (Aeron transport first, then {@link Membership}) and prints the same JSON lines with the command's
 * {@link EventPrinter}, until the process is killed.
 * <p>
 * Usage: {@code TunableMember --id ID --bind HOST:PORT [--seeds HOST:PORT,...] [--profile lan|wan|local]
 * [--probe-interval-ms MS] [--probe-timeout-ms MS] [--suspicion-mult N] [--gossip-interval-ms MS]
 * [--push-pull-interval-ms MS] [--reconnect-interval-ms MS] [--awareness-max-multiplier N]
 * [--print-health true|false]}.
 */
public final class TunableMember
{
    private TunableMember()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final MembershipContext ctx = new MembershipContext();
        String id = null;
        boolean printHealth = false;
        for (int i = 0; i < args.length; i += 2)
        {
            if (i + 1 >= args.length)
            {
                usage("option " + args[i] + " needs a value");
            }
            final String value = args[i + 1];
            switch (args[i])
            {
                case "--id" -> id = value;
                case "--bind" -> ctx.bind(value);
                case "--seeds" -> ctx.seeds(Arrays.asList(value.split(",")));
                case "--profile" -> ctx.profile(MembershipRunCommand.parseProfile(value));
                case "--probe-interval-ms" -> ctx.probeIntervalMs(Long.parseLong(value));
                case "--probe-timeout-ms" -> ctx.probeTimeoutMs(Long.parseLong(value));
                case "--suspicion-mult" -> ctx.suspicionMult(Integer.parseInt(value));
                case "--gossip-interval-ms" -> ctx.gossipIntervalMs(Long.parseLong(value));
                case "--push-pull-interval-ms" -> ctx.pushPullIntervalMs(Long.parseLong(value));
                case "--reconnect-interval-ms" -> ctx.reconnectIntervalMs(Long.parseLong(value));
                case "--awareness-max-multiplier" -> ctx.awarenessMaxMultiplier(Integer.parseInt(value));
                case "--print-health" -> printHealth = Boolean.parseBoolean(value);
                default -> usage("unknown option " + args[i]);
            }
        }
        if (null == id)
        {
            usage("--id is required");
        }

        final PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        final PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        final EventPrinter printer = new EventPrinter(out, true);
        ctx.memberId(id).listener(printer.listener(null)).errorHandler(MembershipRunCommand.errorPrinter(err));
        final AeronTransport transport = AeronTransport.launch(ctx);
        ctx.bind(transport.localEndpoint()).transport(transport).ownsTransport(true);
        try (Membership membership = Membership.start(ctx))
        {
            printer.printStarted(id, ctx.bind(), "");
            long health = 0;
            while (!Thread.currentThread().isInterrupted())
            {
                printer.printPending(100);
                // Printed on this thread, the printer's own, so that lines never interleave.
                final long score = membership.counters().healthScore();
                if (printHealth && score != health)
                {
                    health = score;
                    out.printf("{\"time\": %d, \"event\": \"health\", \"score\": %d}%n",
                        System.currentTimeMillis(), score);
                    out.flush();
                }
            }
        }
    }

    private static void usage(final String message)
    {
        System.err.println("TunableMember: " + message + "; options: " + List.of("--id", "--bind", "--seeds",
            "--profile", "--probe-interval-ms", "--probe-timeout-ms", "--suspicion-mult", "--gossip-interval-ms",
            "--push-pull-interval-ms", "--reconnect-interval-ms", "--awareness-max-multiplier", "--print-health"));
        System.exit(2);
    }
}
