package io.swimlog.tools.netfault;

import io.swimlog.tools.FlatJson;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One member JVM printing {@code --json} event lines (the {@code membership run} contract), started with a
 * command the caller builds (usually inside a network namespace), with its output read on threads of its own:
 * each stdout line parsed into {@link #events()}, each stderr line kept as text.
 * <p>
 * {@link #close()} leaves no process behind, even a stopped one, and nothing of it in /dev/shm unless it had to be
 * killed. Threading: the reader threads append, the test
 * thread reads (copy-on-write lists).
 */
final class MemberJvm implements AutoCloseable
{
    /** Aeron's flags as in bin/swimlog; a small heap and C1 only suit several JVMs on 2 cores. */
    static final List<String> JVM_FLAGS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "-Djava.net.preferIPv4Stack=true",
        "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

    private static final long EXIT_TIMEOUT_MS = 10_000;

    private final String id;
    private final Process process;
    private final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final List<String> badLines = new CopyOnWriteArrayList<>();

    private MemberJvm(final String id, final Process process)
    {
        this.id = id;
        this.process = process;
        reader(process.getInputStream(), this::onStdout, id + "-stdout").start();
        reader(process.getErrorStream(), stderr::add, id + "-stderr").start();
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
        return new MemberJvm(id, new ProcessBuilder(command).start());
    }

    String id()
    {
        return id;
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    List<Map<String, Object>> events()
    {
        return events;
    }

    List<String> stderr()
    {
        return stderr;
    }

    List<String> badLines()
    {
        return badLines;
    }

    boolean started()
    {
        return anyEvent(e -> "started".equals(e.get("event")));
    }

    boolean anyEvent(final Predicate<Map<String, Object>> predicate)
    {
        return events.stream().anyMatch(predicate);
    }

    boolean hasEvent(final String event, final String member)
    {
        return anyEvent(e -> event.equals(e.get("event")) && Objects.equals(member, e.get("member")));
    }

    long count(final String event, final String member)
    {
        return events.stream().filter(e -> event.equals(e.get("event")) && Objects.equals(member, e.get("member"))).count();
    }

    /**
     * The last event this member printed about {@code member} (joined, alive, suspected, dead, left, updated),
     * with its fields, or null.
     */
    Map<String, Object> lastAbout(final String member)
    {
        Map<String, Object> last = null;
        for (final Map<String, Object> e : events)
        {
            if (member.equals(e.get("member")) && !"started".equals(e.get("event")) &&
                !"stopped".equals(e.get("event")) && !"warning".equals(e.get("event")))
            {
                last = e;
            }
        }
        return last;
    }

    String lastEventAbout(final String member)
    {
        final Map<String, Object> last = lastAbout(member);
        return null == last ? null : (String)last.get("event");
    }

    void signal(final String signal)
    {
        Shell.run("kill", "-" + signal, Long.toString(process.pid()));
    }

    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Asks the member to stop as a user would, without waiting: SIGCONT (it may be stopped), then SIGTERM, on which
     * it leaves and closes its embedded driver, deleting the driver's directory in /dev/shm (a SIGKILL leaves it).
     */
    void terminate()
    {
        if (process.isAlive())
        {
            try
            {
                signal("CONT");
            }
            catch (final RuntimeException ignore)
            {
                // It may have exited in between; SIGTERM to an exited process is a no-op.
            }
            process.destroy();
        }
    }

    /**
     * {@link #terminate()}, then SIGKILL if it has not exited within {@link #EXIT_TIMEOUT_MS} (its leave waits up
     * to 3 s for acknowledgements).
     */
    public void close()
    {
        terminate();
        try
        {
            if (!process.waitFor(EXIT_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    public String toString()
    {
        return id + " (pid " + process.pid() + ", " + events.size() + " events, stderr " + stderr + ")";
    }

    private static List<String> java()
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.addAll(JVM_FLAGS);
        return command;
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

    private static Thread reader(final InputStream stream, final Consumer<String> sink, final String name)
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
