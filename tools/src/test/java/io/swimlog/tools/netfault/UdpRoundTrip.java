package io.swimlog.tools.netfault;

import io.swimlog.tools.FlatJson;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures UDP round trips between two members' namespaces with {@code udp_echo.py} (a test resource): an echo
 * server in one, a prober in the other. It checks a delay fixture from outside, independently of the delayer's
 * own counts: each probe crosses the delayed link twice. Used from the test thread; leaves no process or file.
 */
final class UdpRoundTrip
{
    private static final String SCRIPT = "/netfault/udp_echo.py";
    private static final int PORT = 7999;

    private UdpRoundTrip()
    {
    }

    /**
     * {@code count} round-trip times in ms from {@code from} to {@code to} and back, probes {@code intervalMs}
     * apart, each waited for up to 2 s (a lost one is left out).
     */
    static List<Double> measure(final FaultNetwork network, final int from, final int to, final int count,
        final long intervalMs) throws IOException, InterruptedException
    {
        final Path script = Files.createTempFile("udp_echo", ".py");
        Process server = null;
        try
        {
            try (InputStream in = UdpRoundTrip.class.getResourceAsStream(SCRIPT))
            {
                if (null == in)
                {
                    throw new IllegalStateException("test resource missing: " + SCRIPT);
                }
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            server = new ProcessBuilder(network.inNamespace(to,
                List.of("python3", script.toString(), "serve", Integer.toString(PORT))))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            final String ready = new BufferedReader(
                new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (null == ready || !ready.contains("ready"))
            {
                throw new IllegalStateException("udp echo server did not start in m" + to + ": " + ready);
            }
            final String result = Shell.run(network.inNamespace(from, List.of("python3", script.toString(), "probe",
                network.address(to), Integer.toString(PORT), Integer.toString(count), Long.toString(intervalMs))),
                null);
            final List<Double> rtts = new ArrayList<>();
            for (final String line : result.strip().split("\n"))
            {
                final Object rtt = FlatJson.parse(line).get("rtt_ms");
                if (rtt instanceof Number)
                {
                    rtts.add(((Number)rtt).doubleValue());
                }
            }
            return rtts;
        }
        finally
        {
            if (null != server)
            {
                server.destroyForcibly();
                server.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(script);
        }
    }
}
