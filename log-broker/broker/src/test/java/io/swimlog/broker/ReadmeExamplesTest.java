package io.swimlog.broker;

import io.swimlog.client.Admin;
import io.swimlog.client.ClientContext;
import io.swimlog.client.Consumer;
import io.swimlog.client.ConsumerRecord;
import io.swimlog.client.Producer;
import io.swimlog.client.ProducerListener;
import io.swimlog.client.ProducerRecord;
import io.swimlog.client.RecordMetadata;
import io.swimlog.client.ClientException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client examples of README.md ("Log broker"), compiled and run: the README quotes the bodies of these
 * methods, so they cannot rot.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadmeExamplesTest
{
    @TempDir
    File dataDir;

    private TestBroker broker;
    private String bootstrap;

    @BeforeEach
    void start()
    {
        broker = new TestBroker(dataDir);
        bootstrap = broker.endpoint;
    }

    @AfterEach
    void stop()
    {
        broker.close();
    }

    @Test
    void convenientPath() throws Exception
    {
        // README: convenient path
        final ClientContext ctx = new ClientContext().bootstrap(bootstrap);
        try (Admin admin = Admin.create(ctx.clone()))
        {
            admin.createTopic("orders", 3, 1);
        }
        try (Producer producer = Producer.create(ctx.clone().acks(1)))
        {
            final RecordMetadata written = producer.send(new ProducerRecord("orders",
                "alice".getBytes(StandardCharsets.UTF_8), "1 book".getBytes(StandardCharsets.UTF_8))).get();
            System.out.println("written to " + written.topic() + "-" + written.partition() + " at " + written.offset());
        }
        try (Consumer consumer = Consumer.create(ctx.clone().fromBeginning(true)))
        {
            consumer.subscribe(List.of("orders"));
            final List<ConsumerRecord> records = new ArrayList<>();
            while (records.isEmpty())
            {
                records.addAll(consumer.poll(Duration.ofMillis(500)));
            }
            System.out.println(new String(records.get(0).value(), StandardCharsets.UTF_8));
            assertThat(records).hasSize(1);
        }
        // README: end
    }

    @Test
    void allocationFreePath()
    {
        try (Admin admin = Admin.create(new ClientContext().bootstrap(bootstrap)))
        {
            admin.createTopic("ticks", 1, 1);
        }
        // README: allocation-free path
        final AtomicLong acknowledged = new AtomicLong();
        final ClientContext ctx = new ClientContext().bootstrap(bootstrap).producerListener(new ProducerListener()
        {
            public void onAcknowledged(final String topic, final int partition, final long baseOffset, final int count)
            {
                acknowledged.addAndGet(count);
            }

            public void onError(final String topic, final int partition, final int count, final ClientException error)
            {
                System.err.println(count + " records lost: " + error.getMessage());
            }
        });
        final UnsafeBuffer value = new UnsafeBuffer(new byte[8]);
        try (Producer producer = Producer.create(ctx))
        {
            for (long i = 0; i < 1_000; i++)
            {
                value.putLong(0, i);
                while (producer.offer("ticks", 0, null, 0, 0, value, 0, 8, null) == Producer.BACK_PRESSURED)
                {
                    Thread.onSpinWait();
                }
            }
            producer.flush();
        }

        final long[] sum = new long[1];
        try (Consumer consumer = Consumer.create(new ClientContext().bootstrap(bootstrap)))
        {
            consumer.assign(List.of(new TopicPartition("ticks", 0)));
            consumer.seekToBeginning(consumer.assignment());
            int read = 0;
            while (read < 1_000)
            {
                read += consumer.poll((topic, partition, reader) ->
                    sum[0] += reader.buffer().getLong(reader.valueOffset()), 500, 100);
            }
        }
        // README: end
        assertThat(acknowledged.get()).isEqualTo(1_000);
        assertThat(sum[0]).isEqualTo(999L * 1000 / 2);
    }
}
