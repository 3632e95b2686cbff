package io.swimlog.tools.membership;

import io.swimlog.tools.MemberJvmProcess;

import java.io.IOException;
import java.util.List;

/**
 * One {@code swimlog membership run --json} JVM on 127.0.0.1 started from the shaded jar (see
 * {@link MemberJvmProcess} for what it offers). Used by the process tests and by {@link KillDetectionBenchmark}; no
 * JUnit here.
 */
final class MemberProcess extends MemberJvmProcess
{
    private MemberProcess(final String id, final List<String> command) throws IOException
    {
        super(id, command);
    }

    static List<String> javaCommand(final String jar)
    {
        final List<String> command = java();
        command.add("-jar");
        command.add(jar);
        return command;
    }

    /**
     * Starts {@code swimlog membership run --json --id ID --bind 127.0.0.1:0 [--seeds S] ARGS...}.
     */
    static MemberProcess start(final String jar, final String id, final String seed, final List<String> args)
        throws IOException
    {
        final List<String> command = javaCommand(jar);
        command.addAll(List.of("membership", "run", "--json", "--id", id, "--bind", "127.0.0.1:0"));
        if (null != seed)
        {
            command.addAll(List.of("--seeds", seed));
        }
        command.addAll(args);
        return new MemberProcess(id, command);
    }
}
