package io.swimlog.tools.netfault;

import io.swimlog.tools.MemberJvmProcess;

import java.io.File;
import java.io.IOException;
import java.util.List;

/**
 * One member JVM for the network-fault tests, started with a command the caller builds (usually inside a network
 * namespace): {@code membership run} from the shaded jar, or {@link TunableMember} for settings that command has
 * no flag for. See {@link MemberJvmProcess} for what it offers.
 */
final class MemberJvm extends MemberJvmProcess
{
    private MemberJvm(final String id, final List<String> command) throws IOException
    {
        super(id, command);
    }

    /**
     * {@code java FLAGS -jar swimlog.jar membership run --json --id ID --bind BIND [--seeds SEED] ARGS...}.
     */
    static List<String> runCommand(final String id, final String bind, final String seed, final List<String> args)
    {
        final List<String> command = java();
        command.addAll(List.of("-jar", jar(), "membership", "run", "--json", "--id", id, "--bind", bind));
        if (null != seed)
        {
            command.addAll(List.of("--seeds", seed));
        }
        command.addAll(args);
        return command;
    }

    /**
     * The same member through {@link TunableMember} (test classes on the class path), for the settings that
     * {@code membership run} has no flag for.
     */
    static List<String> tunableCommand(final String id, final String bind, final String seed, final List<String> args)
    {
        return tunableCommand(id, bind, seed, List.of(), args);
    }

    /**
     * As {@link #tunableCommand(String, String, String, List)}, with {@code jvmFlags} (system properties, say)
     * after the usual ones.
     */
    static List<String> tunableCommand(
        final String id, final String bind, final String seed, final List<String> jvmFlags, final List<String> args)
    {
        final List<String> command = java();
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", jar() + File.pathSeparator + testClasses(), TunableMember.class.getName(),
            "--id", id, "--bind", bind));
        if (null != seed)
        {
            command.addAll(List.of("--seeds", seed));
        }
        command.addAll(args);
        return command;
    }

    static MemberJvm start(final String id, final List<String> command) throws IOException
    {
        return new MemberJvm(id, command);
    }

    private static String testClasses()
    {
        try
        {
            return new File(TunableMember.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        }
        catch (final java.net.URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
