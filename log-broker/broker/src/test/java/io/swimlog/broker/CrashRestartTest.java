package io.swimlog.broker;

import io.swimlog.client.Admin;
import io.swimlog.client.ClientContext;
import io.swimlog.client.Consumer;
import io.swimlog.client.ConsumerRecord;
import io.swimlog.client.Producer;
import io.swimlog.client.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a broker process with SIGKILL while an idempotent producer (acks=1) is sending and the broker forces
 * every append before acknowledging it (flush=always), restarts it on the same data, and checks that every
 * acknowledged record is there exactly once and that the producer's retries appended nothing twice.
 */
class CrashRestartTest
{
    private static final String TOPIC = "crash";
    private static final int RECORDS = 20_000;

    @TempDir
    File dataDir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void everyAcknowledgedRecordSurvivesASigkillExactlyOnce() throws Exception
    {
        final String endpoint = "127.0.0.1:" + TestBroker.freeUdpPort();
        Process broker = startBroker(endpoint);
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final List<CompletableFuture<?>> futures = new ArrayList<>();
        final ClientContext ctx = new ClientContext()
            .bootstrap(endpoint)
            .acks(1)
            .requestTimeoutMs(1_000)
            .connectTimeoutMs(2_000)
            .deliveryTimeoutMs(90_000)
            .maxBlockMs(90_000)
            .batchSize(4096)
            .bufferMemory(64 * 1024);
        try
        {
            try (Admin admin = Admin.create(ctx.clone()))
            {
                admin.createTopic(TOPIC, 2, 1);
            }

            try (Producer producer = Producer.create(ctx.clone()))
            {
                boolean killed = false;
                for (int i = 0; i < RECORDS; i++)
                {
                    final String value = Integer.toString(i);
                    futures.add(producer.send(new ProducerRecord(TOPIC, null, value.getBytes(StandardCharsets.UTF_8)),
                        (metadata, error) ->
                        {
                            if (null == error)
                            {
                                acknowledged.add(value);
                            }
                        }));
                    if (!killed && acknowledged.size() >= RECORDS / 4)
                    {
                        broker.destroyForcibly().waitFor();
                        killed = true;
                        broker = startBroker(endpoint);
                    }
                }
                assertThat(killed).isTrue();
                producer.flush();
            }
        }
        finally
        {
            for (final CompletableFuture<?> future : futures)
            {
                future.exceptionally(error -> null);
            }
        }

        final Map<String, Integer> seen = new HashMap<>();
        try (Consumer consumer = Consumer.create(ctx.clone().fromBeginning(true)))
        {
            consumer.subscribe(List.of(TOPIC));
            long idleSince = System.nanoTime();
            while (System.nanoTime() - idleSince < TimeUnit.SECONDS.toNanos(3))
            {
                final List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty())
                {
                    idleSince = System.nanoTime();
                }
                for (final ConsumerRecord record : records)
                {
                    seen.merge(new String(record.value(), StandardCharsets.UTF_8), 1, Integer::sum);
                }
            }
        }
        finally
        {
            broker.destroyForcibly().waitFor();
        }

        assertThat(acknowledged).hasSizeGreaterThan(RECORDS / 4);
        for (final String value : acknowledged)
        {
            assertThat(seen.get(value)).as("acknowledged record %s", value).isEqualTo(1);
        }
        assertThat(seen.values()).allMatch(count -> count == 1);
    }

    private Process startBroker(final String endpoint) throws IOException, InterruptedException
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final Process process = new ProcessBuilder(java,
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
            "-Djava.net.preferIPv4Stack=true", "-Xmx256m",
            "-cp", System.getProperty("java.class.path"),
            BrokerProcessMain.class.getName(), endpoint, dataDir.getAbsolutePath())
            .redirectErrorStream(true)
            .start();
        final BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while (null != (line = reader.readLine()))
        {
            if ("ready".equals(line))
            {
                return process;
            }
        }
        throw new IOException("the broker process exited before it was ready: " + process.waitFor());
    }
}
