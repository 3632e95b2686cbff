package io.swimlog.broker;

import io.swimlog.client.Admin;
import io.swimlog.client.Consumer;
import io.swimlog.client.Producer;
import io.swimlog.client.ProducerRecord;
import io.swimlog.client.TopicDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionTimeoutTest
{
    @TempDir
    File dataDir;

    private TestBroker broker;

    @BeforeEach
    void start()
    {
        broker = new TestBroker(dataDir);
        broker.node.close();
        broker.sessionTimeoutMs = 300;
        broker.start();
    }

    @AfterEach
    void stop()
    {
        broker.close();
    }

    @Test
    void anIdleClientIsTimedOutAndFreedAndItsNextCallOpensANewSession()
    {
        try (Admin admin = Admin.create(broker.client()))
        {
            admin.createTopic("idle", 1, 1);
            BadInputTest.awaitCondition(() -> broker.node.counters().sessionsTimedOut().get() >= 1);

            assertThat(admin.listTopics()).extracting(TopicDescription::name).containsExactly("idle");
        }
    }

    @Test
    void aConsumerThatStopsPollingForAWhileCarriesOn()
    {
        try (Admin admin = Admin.create(broker.client()))
        {
            admin.createTopic("pause", 1, 1);
        }
        try (Producer producer = Producer.create(broker.client());
            Consumer consumer = Consumer.create(broker.client().fromBeginning(true)))
        {
            consumer.subscribe(List.of("pause"));
            producer.send(new ProducerRecord("pause", null, "one".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
            assertThat(pollOne(consumer)).isEqualTo("one");

            final long timedOut = broker.node.counters().sessionsTimedOut().get();
            BadInputTest.awaitCondition(() -> broker.node.counters().sessionsTimedOut().get() > timedOut);
            producer.send(new ProducerRecord("pause", null, "two".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
            assertThat(pollOne(consumer)).isEqualTo("two");
        }
    }

    @Test
    void anOpenFetchIsFreedWithItsTimedOutSession()
    {
        try (Admin admin = Admin.create(broker.client()))
        {
            admin.createTopic("open", 1, 1);
        }
        try (RawClient raw = new RawClient(broker.client()))
        {
            final long timedOut = broker.node.counters().sessionsTimedOut().get();
            raw.openFetch("open", 0, 0, 1024 * 1024, 60_000);
            BadInputTest.awaitCondition(() -> broker.node.counters().openFetches().get() == 1);

            // The raw client sends no keep-alives: its session times out, and its open fetch goes with it.
            BadInputTest.awaitCondition(() -> broker.node.counters().sessionsTimedOut().get() > timedOut);
            BadInputTest.awaitCondition(() -> broker.node.counters().openFetches().get() == 0);
        }
    }

    private static String pollOne(final Consumer consumer)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline)
        {
            for (final var record : consumer.poll(Duration.ofMillis(100)))
            {
                return new String(record.value(), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("nothing arrived");
    }
}
