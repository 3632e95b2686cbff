package io.swimlog.membership;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compiles the embedding example in README.md as it is written and runs it over Aeron on loopback against a
 * seed member started here, which must see it join, broadcast and leave. (Its metadata update races with its
 * leave, which supersedes it, so the seed may or may not see the update.)
 */
@Timeout(90)
class ReadmeExampleTest
{
    private static final String MARKER = "<!-- example: membership-embedding -->";

    @Test
    void readmeEmbeddingExampleCompilesAndRuns(@TempDir final Path classes) throws Exception
    {
        final String example = extractExample();
        final String seedEndpoint = "127.0.0.1:" + freeUdpPort();
        final String memberEndpoint = "127.0.0.1:" + freeUdpPort();
        final String source = "import io.swimlog.membership.*;\n" +
            "import java.nio.charset.StandardCharsets;\n" +
            "import java.time.Duration;\n" +
            "import java.util.List;\n" +
            "public class ReadmeExample implements Runnable\n{\n    public void run()\n    {\n" +
            example.replace("127.0.0.1:7946", memberEndpoint).replace("127.0.0.1:7947", seedEndpoint) +
            "\n    }\n}\n";
        final Class<?> exampleClass = compile(classes, source);

        final Queue<String> seen = new ConcurrentLinkedQueue<>();
        final MembershipContext seedCtx = new MembershipContext()
            .memberId("seed")
            .bind(seedEndpoint)
            .listener(new MembershipListener()
            {
                public void onEvent(final MembershipEvent event)
                {
                    seen.add(event.type().jsonName() + " " + event.member().id() + " " +
                        event.member().metadataAsString());
                }

                public void onBroadcast(
                    final String from, final org.agrona.DirectBuffer buffer, final int offset, final int length)
                {
                    seen.add("broadcast " + from + " " + buffer.getStringWithoutLengthUtf8(offset, length));
                }
            });
        try (Membership seed = Membership.start(seedCtx))
        {
            final Runnable run = (Runnable)exampleClass.getDeclaredConstructor().newInstance();
            run.run();

            assertThat(waitFor(() -> seen.stream().anyMatch(line -> line.startsWith("left orders-1")), 20))
                .as("seed saw %s", seen).isTrue();
            assertThat(seen).contains("joined orders-1 role=orders", "broadcast orders-1 hello");
            assertThat(seed.members()).anyMatch(m -> m.id().equals("orders-1") && m.state() == MemberState.LEFT);
        }
    }

    private static String extractExample() throws Exception
    {
        final Path readme = Path.of(System.getProperty("basedir", ".")).resolve("../README.md").normalize();
        final String text = Files.readString(readme);
        final int marker = text.indexOf(MARKER);
        assertThat(marker).as("README has the example marker").isNotNegative();
        final int start = text.indexOf("```java\n", marker) + "```java\n".length();
        final int end = text.indexOf("```", start);
        return text.substring(start, end);
    }

    private static Class<?> compile(final Path classes, final String source) throws Exception
    {
        final Path file = classes.resolve("ReadmeExample.java");
        Files.writeString(file, source);
        final String classpath = Stream.of(Membership.class, org.agrona.DirectBuffer.class, io.aeron.Aeron.class)
            .map(type -> type.getProtectionDomain().getCodeSource().getLocation())
            .map(ReadmeExampleTest::path)
            .collect(Collectors.joining(File.pathSeparator));
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        final ByteArrayOutputStream errors = new ByteArrayOutputStream();
        final int result = compiler.run(null, null, errors, "-d", classes.toString(), "-classpath", classpath,
            file.toString());
        assertThat(result).as("README example compiles: %s\n%s", errors.toString(StandardCharsets.UTF_8), source)
            .isZero();
        final URLClassLoader loader = new URLClassLoader(
            new URL[]{ classes.toUri().toURL() }, ReadmeExampleTest.class.getClassLoader());
        return loader.loadClass("ReadmeExample");
    }

    private static String path(final URL url)
    {
        try
        {
            return Path.of(url.toURI()).toString();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static boolean waitFor(final BooleanSupplier condition, final int seconds) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        return true;
    }
}
