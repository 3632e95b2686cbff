package io.swimlog.tools;

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
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One member JVM that prints {@code --json} event lines (the {@code membership run} contract), with its output read
 * on threads of its own: each stdout line parsed into {@link #events()}, each stderr line kept as text. The process
 * tests ({@code membership.MemberProcess}) and the network-fault tests ({@code netfault.MemberJvm}) build the
 * command; this class runs, signals, queries and stops it.
 * <p>
 * {@link #close()} leaves no process behind, even a stopped one, and nothing of it in /dev/shm unless it had to be
 * killed. Threading: the reader threads append, the test thread reads (copy-on-write lists).
 */
public class MemberJvmProcess implements AutoCloseable
{
    /** Aeron's flags as in bin/swimlog; a small heap and C1 only suit several JVMs on 2 cores. */
    public static final List<String> JVM_FLAGS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "-Djava.net.preferIPv4Stack=true",
        "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

    /** How long {@link #close()} waits after SIGTERM (a member's leave waits up to 3 s) before SIGKILL. */
    private static final long EXIT_TIMEOUT_MS = 10_000;

    private final String id;
    private final Process process;
    private final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final List<String> badLines = new CopyOnWriteArrayList<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    protected MemberJvmProcess(final String id, final List<String> command) throws IOException
    {
        this.id = id;
        this.process = new ProcessBuilder(command).start();
        stdoutReader = reader(process.getInputStream(), this::onStdout, id + "-stdout");
        stderrReader = reader(process.getErrorStream(), stderr::add, id + "-stderr");
        stdoutReader.start();
        stderrReader.start();
    }

    /**
     * The shaded jar the build made (failsafe passes its path as the {@code swimlog.jar} property).
     */
    public static String jar()
    {
        final String jar = System.getProperty("swimlog.jar");
        if (null == jar || !new File(jar).isFile())
        {
            throw new IllegalStateException("system property swimlog.jar must name the shaded jar: " + jar);
        }
        return jar;
    }

    /**
     * This JVM's {@code java} with {@link #JVM_FLAGS}: the start of every member's command.
     */
    public static List<String> java()
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.addAll(JVM_FLAGS);
        return command;
    }

    public String id()
    {
        return id;
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    public Process process()
    {
        return process;
    }

    public List<Map<String, Object>> events()
    {
        return events;
    }

    public List<String> stderr()
    {
        return stderr;
    }

    /**
     * Lines on stdout that were not one JSON object: the --json contract says there are none.
     */
    public List<String> badLines()
    {
        return badLines;
    }

    public boolean started()
    {
        return anyEvent(e -> "started".equals(e.get("event")));
    }

    /**
     * The address from the {@code started} line, or null before it is printed.
     */
    public String address()
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

    public boolean anyEvent(final Predicate<Map<String, Object>> predicate)
    {
        return events.stream().anyMatch(predicate);
    }

    public boolean hasEvent(final String event, final String member)
    {
        return firstTime(event, member).isPresent();
    }

    public long count(final String event, final String member)
    {
        return events.stream()
            .filter(e -> event.equals(e.get("event")) && Objects.equals(member, e.get("member")))
            .count();
    }

    public OptionalLong firstTime(final String event, final String member)
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

    /**
     * The last event this member printed about {@code member} (joined, alive, suspected, dead, left, updated),
     * with its fields, or null.
     */
    public Map<String, Object> lastAbout(final String member)
    {
        Map<String, Object> last = null;
        for (final Map<String, Object> e : events)
        {
            final Object event = e.get("event");
            if (member.equals(e.get("member")) && !"started".equals(event) && !"stopped".equals(event) &&
                !"warning".equals(event))
            {
                last = e;
            }
        }
        return last;
    }

    /**
     * The name of {@link #lastAbout(String)}'s event, or null.
     */
    public String lastEventAbout(final String member)
    {
        final Map<String, Object> last = lastAbout(member);
        return null == last ? null : (String)last.get("event");
    }

    /**
     * Sends a signal by name ({@code STOP}, {@code CONT}, {@code TERM}, ...) and waits for {@code kill} to succeed.
     */
    public void signal(final String signal)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || 0 != kill.exitValue())
            {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending " + signal + " to " + process.pid(), ex);
        }
    }

    public void pause()
    {
        signal("STOP");
    }

    public void resume()
    {
        signal("CONT");
    }

    /**
     * SIGKILL, and waits for the process to be gone.
     */
    public void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM, then waits for the exit status and for everything it printed to be read.
     */
    public int terminate(final long timeoutMs) throws InterruptedException
    {
        signal("TERM"); // not Process.destroy(): that also closes our end of its output, losing the last lines
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            throw new IllegalStateException(id + " did not exit within " + timeoutMs + " ms of SIGTERM");
        }
        stdoutReader.join(timeoutMs);
        stderrReader.join(timeoutMs);
        return process.exitValue();
    }

    /**
     * Asks the member to stop as a user would, without waiting: SIGCONT (it may be stopped), then SIGTERM, on which
     * it leaves and closes its embedded driver, deleting the driver's directory in /dev/shm (a SIGKILL leaves it).
     */
    public void requestStop()
    {
        if (process.isAlive())
        {
            try
            {
                signal("CONT");
                signal("TERM");
            }
            catch (final RuntimeException ignore)
            {
                // It may have exited in between; close() kills whatever is left.
            }
        }
    }

    /**
     * Waits up to {@code timeoutMs} for the process to exit; true when it has.
     */
    public boolean awaitExit(final long timeoutMs)
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

    /**
     * {@link #requestStop()}, then SIGKILL if it has not exited within 10 s.
     */
    public void close()
    {
        requestStop();
        if (!awaitExit(EXIT_TIMEOUT_MS))
        {
            process.destroyForcibly();
            awaitExit(EXIT_TIMEOUT_MS);
        }
    }

    public String toString()
    {
        return id + " (pid " + process.pid() + ", " + events.size() + " events, stderr " + stderr + ")";
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
