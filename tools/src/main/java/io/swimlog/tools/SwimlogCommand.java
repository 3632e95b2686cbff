package io.swimlog.tools;

import io.swimlog.tools.membership.MembershipCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code swimlog} command line. DESIGN.md's "Command line" section is its contract: commands, flags,
 * {@code --json} field names and exit codes are relied upon by scripts, so change them only by adding.
 * <p>
 * Errors are one sentence on stderr and a non-zero exit: 2 for a usage error, 1 for a failure at run time.
 */
@Command(
    name = "swimlog",
    mixinStandardHelpOptions = true,
    versionProvider = SwimlogCommand.Version.class,
    description = "SWIM gossip membership and a partitioned log on Aeron.",
    subcommands = { MembershipCommand.class, DevCommand.class,
        io.swimlog.tools.broker.NodeCommand.class, io.swimlog.tools.broker.DriverCommand.class,
        io.swimlog.tools.broker.TopicCommand.class,
        io.swimlog.tools.broker.ProduceCommand.class, io.swimlog.tools.broker.ConsumeCommand.class,
        io.swimlog.tools.broker.MembersCommand.class,
        io.swimlog.tools.broker.PerfCommand.class })
public final class SwimlogCommand implements Runnable
{
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see swimlog --help)");
    }

    public static void main(final String[] args)
    {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs one command line and returns its exit code, without exiting the JVM (tests call this).
     */
    public static int execute(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        final CommandLine commandLine = new CommandLine(new SwimlogCommand());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((ex, ignored) ->
        {
            ex.getCommandLine().getErr().println("swimlog: " + sentence(ex.getMessage()));
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((ex, cl, parseResult) ->
        {
            cl.getErr().println("swimlog: " + sentence(describe(ex)));
            return EXIT_FAILURE;
        });
        return commandLine.execute(args);
    }

    private static String describe(final Throwable ex)
    {
        Throwable cause = ex;
        while (cause.getMessage() == null && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    private static String sentence(final String message)
    {
        final String oneLine = message.strip().replace('\n', ' ');
        return oneLine.endsWith(".") ? oneLine : oneLine + ".";
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        public String[] getVersion()
        {
            final String version = SwimlogCommand.class.getPackage().getImplementationVersion();
            return new String[] { "swimlog " + (version != null ? version : "development build") };
        }
    }
}
