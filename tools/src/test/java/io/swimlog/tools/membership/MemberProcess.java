package io.swimlog.tools.membership;

import io.swimlog.tools.FlatJson;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One {@code swimlog membership run --json} JVM started from the shaded jar, with its output read on threads
 * of its own: each stdout line is parsed as JSON into {@link #events()}, each stderr line kept as text.
 * <p>
 * Kill it with {@link #kill()} (SIGKILL), pause and resume it with {@link #pause()} / {@link #resume()}
 * (SIGSTOP / SIGCONT), stop it with {@link #terminate(long)} (SIGTERM). {@link #close()} always leaves no process
 * behind, even a paused one. Used by the process tests and by {@link KillDetectionBenchmark}; no JUnit here.
 */
final class MemberProcess implements AutoCloseable
{
    /** Aeron's flags, as in bin/swimlog; a small heap and a quick-starting JIT suit several JVMs on 2 cores. */
    private static final List<String> JVM_FLAGS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "-Djava.net.preferIPv4Stack=true",
        "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

    private final String id;
    private final Process process;
    private final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final List<String> badLines = new CopyOnWriteArrayList<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private MemberProcess(final String id, final Process process)
    {
        this.id = id;
        this.process = process;
        stdoutReader = reader(process.getInputStream(), this::onStdout, id + "-stdout");
        stderrReader = reader(process.getErrorStream(), stderr::add, id + "-stderr");
        stdoutReader.start();
        stderrReader.start();
    }

    /**
     * The shaded jar the build made (failsafe passes its path as the {@code swimlog.jar} property).
     */
    static String jar()
    {
        final String jar = System.getProperty("swimlog.jar");
        if (null == jar || !new File(jar).isFile())
        {
            throw new IllegalStateException("system property swimlog.jar must name the shaded jar: " + jar);
        }
        return jar;
    }

    static List<String> javaCommand(final String jar)
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.addAll(JVM_FLAGS);
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
        return new MemberProcess(id, new ProcessBuilder(command).start());
    }

    String id()
    {
        return id;
    }

    long pid()
    {
        return process.pid();
    }

    Process process()
    {
        return process;
    }

    List<Map<String, Object>> events()
    {
        return events;
    }

    List<String> stderr()
    {
        return stderr;
    }

    /**
     * Lines on stdout that were not one JSON object: the --json contract says there are none.
     */
    List<String> badLines()
    {
        return badLines;
    }

    /**
     * The address from the {@code started} line, or null before it is printed.
     */
    String address()
    {
        for (final Map<String, Object> event : events)
        {
            if ("started".equals(event.get("event")))
            {
                return (String)event.get("address");
            }
        }
        return null;
    }

    boolean hasEvent(final String event, final String member)
    {
        return firstTime(event, member).isPresent();
    }

    OptionalLong firstTime(final String event, final String member)
    {
        for (final Map<String, Object> e : events)
        {
            if (event.equals(e.get("event")) && Objects.equals(member, e.get("member")))
            {
                return OptionalLong.of((Long)e.get("time"));
            }
        }
        return OptionalLong.empty();
    }

    boolean anyEvent(final Predicate<Map<String, Object>> predicate)
    {
        return events.stream().anyMatch(predicate);
    }

    /**
     * The last state this member printed for {@code member}: joined, alive, suspected, dead, left, updated.
     */
    String lastEventAbout(final String member)
    {
        String last = null;
        for (final Map<String, Object> e : events)
        {
            final Object event = e.get("event");
            if (member.equals(e.get("member")) && !"started".equals(event) && !"stopped".equals(event))
            {
                last = (String)e.get("event");
            }
        }
        return last;
    }

    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    void pause() throws IOException, InterruptedException
    {
        signal("-STOP");
    }

    void resume() throws IOException, InterruptedException
    {
        signal("-CONT");
    }

    /**
     * SIGTERM, then waits for the exit status and for everything it printed to be read.
     */
    int terminate(final long timeoutMs) throws IOException, InterruptedException
    {
        signal("-TERM"); // not Process.destroy(): that also closes our end of its output, losing the last lines
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            throw new IllegalStateException(id + " did not exit within " + timeoutMs + " ms of SIGTERM");
        }
        stdoutReader.join(timeoutMs);
        stderrReader.join(timeoutMs);
        return process.exitValue();
    }

    /**
     * Sends SIGCONT then SIGTERM without waiting, if the process is running: a stop that lets it clean up.
     */
    void requestStop()
    {
        if (process.isAlive())
        {
            try
            {
                signal("-CONT");
                signal("-TERM");
            }
            catch (final Exception ignore)
            {
                // It may have exited in between; close() kills whatever is left.
            }
        }
    }

    /**
     * Waits up to {@code timeoutMs} for the process to exit; true when it has.
     */
    boolean awaitExit(final long timeoutMs)
    {
        try
        {
            return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    public void close()
    {
        if (process.isAlive())
        {
            try
            {
                signal("-CONT");
            }
            catch (final Exception ignore)
            {
                // Best effort: SIGKILL below ends a stopped process as well.
            }
            process.destroyForcibly();
            try
            {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    public String toString()
    {
        return id + " (pid " + process.pid() + ", " + events.size() + " events, stderr " + stderr + ")";
    }

    private void signal(final String signal) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || 0 != kill.exitValue())
        {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    private void onStdout(final String line)
    {
        try
        {
            events.add(FlatJson.parse(line));
        }
        catch (final IllegalArgumentException ex)
        {
            badLines.add(line);
        }
    }

    private static Thread reader(final java.io.InputStream stream, final java.util.function.Consumer<String> sink,
        final String name)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    sink.accept(line);
                }
            }
            catch (final IOException ignore)
            {
                // The process is gone; what it printed is already recorded.
            }
        }, name);
        thread.setDaemon(true);
        return thread;
    }
}
