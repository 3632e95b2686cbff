package io.swimlog.broker;

import io.swimlog.client.Admin;
import io.swimlog.client.Consumer;
import io.swimlog.client.ConsumerRecord;
import io.swimlog.client.Producer;
import io.swimlog.client.ProducerRecord;
import io.swimlog.client.TopicPartition;
import org.agrona.concurrent.UnsafeBuffer;
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

/**
 * A consumer that asks for far more than it reads fills its own response stream; the broker holds its fetches
 * back for it alone while producers and other consumers carry on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BackPressureTest
{
    @TempDir
    File dataDir;

    private TestBroker broker;

    @BeforeEach
    void start()
    {
        broker = new TestBroker(dataDir);
    }

    @AfterEach
    void stop()
    {
        broker.close();
    }

    @Test
    void aConsumerThatStopsReadingHoldsBackOnlyItself()
    {
        try (Admin admin = Admin.create(broker.client()))
        {
            admin.createTopic("bulk", 1, 1);
            admin.createTopic("live", 1, 1);
        }
        // Small batches, so that each fits a response of the slow consumer's 8 KiB largest message.
        try (Producer producer = Producer.create(broker.client().batchSize(4 * 1024)))
        {
            final UnsafeBuffer value = new UnsafeBuffer(new byte[1000]);
            for (int i = 0; i < 4_000; i++)
            {
                while (Producer.BACK_PRESSURED == producer.offer("bulk", 0, null, 0, 0, value, 0, 1000, null))
                {
                    Thread.onSpinWait();
                }
            }
            producer.flush();
        }

        // 64 KiB terms: the slow consumer's response stream holds about 128 KiB before the broker must wait.
        try (RawClient slow = new RawClient(broker.client().termLength(64 * 1024).batchSize(4 * 1024)))
        {
            for (int i = 0; i < 200; i++)
            {
                slow.fetchWithoutReading("bulk", 0, 0, 7 * 1024);
            }
            BadInputTest.awaitCondition(() -> broker.node.counters().backPressured().get() > 0);

            try (Producer producer = Producer.create(broker.client());
                Consumer consumer = Consumer.create(broker.client().fromBeginning(true)))
            {
                consumer.assign(List.of(new TopicPartition("live", 0)));
                for (int i = 0; i < 100; i++)
                {
                    producer.send(new ProducerRecord("live", null, ("live " + i).getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
                int received = 0;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (received < 100 && System.nanoTime() < deadline)
                {
                    for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(100)))
                    {
                        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("live " + received);
                        received++;
                    }
                }
                assertThat(received).isEqualTo(100);
            }
            assertThat(broker.node.counters().backPressured().get()).isPositive();
        }
    }
}
