package io.swimlog.broker;

import io.swimlog.client.Admin;
import io.swimlog.client.Consumer;
import io.swimlog.client.ConsumerRecord;
import io.swimlog.client.Header;
import io.swimlog.client.Producer;
import io.swimlog.client.ProducerRecord;
import io.swimlog.client.RecordMetadata;
import io.swimlog.client.TopicDescription;
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
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ClientRoundTripTest
{
    @TempDir
    File dataDir;

    private TestBroker broker;

    @BeforeEach
    void startBroker()
    {
        broker = new TestBroker(dataDir);
    }

    @AfterEach
    void stopBroker()
    {
        broker.close();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void hundredThousandRecordsComeBackInOrderPerPartitionByteForByte() throws Exception
    {
        final int partitions = 3;
        final int count = 100_000;
        try (Admin admin = Admin.create(broker.client()))
        {
            admin.createTopic("round-trip", partitions, 1);
            assertThat(admin.describeTopic("round-trip").partitions()).hasSize(partitions);
        }

        final Random random = new Random(42);
        final List<List<ProducerRecord>> expected = new ArrayList<>();
        for (int p = 0; p < partitions; p++)
        {
            expected.add(new ArrayList<>());
        }
        final List<ProducerRecord> sent = new ArrayList<>(count);
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>(count);
        try (Producer producer = Producer.create(broker.client().acks(1)))
        {
            for (int i = 0; i < count; i++)
            {
                final byte[] key = 0 == i % 10 ? null : ("key-" + i).getBytes(StandardCharsets.UTF_8);
                final byte[] value = new byte[random.nextInt(200)];
                random.nextBytes(value);
                final List<Header> headers = 0 == i % 3 ?
                    List.of(new Header("n", Integer.toString(i).getBytes(StandardCharsets.UTF_8)),
                        new Header("empty", null)) : List.of();
                final ProducerRecord record = new ProducerRecord("round-trip", -1, 1_000_000L + i, key, value, headers);
                sent.add(record);
                futures.add(producer.send(record));
            }
            producer.flush();
        }
        long lastOffset = -1;
        int lastPartition = -1;
        for (int i = 0; i < count; i++)
        {
            final RecordMetadata metadata = futures.get(i).get(10, TimeUnit.SECONDS);
            expected.get(metadata.partition()).add(sent.get(i));
            if (metadata.partition() == lastPartition)
            {
                assertThat(metadata.offset()).isGreaterThan(lastOffset);
            }
            lastPartition = metadata.partition();
            lastOffset = metadata.offset();
        }

        final List<List<ConsumerRecord>> received = new ArrayList<>();
        for (int p = 0; p < partitions; p++)
        {
            received.add(new ArrayList<>());
        }
        try (Consumer consumer = Consumer.create(broker.client().fromBeginning(true)))
        {
            consumer.subscribe(List.of("round-trip"));
            int total = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (total < count && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(200)))
                {
                    received.get(record.partition()).add(record);
                    total++;
                }
            }
            assertThat(total).isEqualTo(count);
        }

        for (int p = 0; p < partitions; p++)
        {
            final List<ProducerRecord> want = expected.get(p);
            final List<ConsumerRecord> got = received.get(p);
            assertThat(got).hasSameSizeAs(want);
            for (int i = 0; i < want.size(); i++)
            {
                final ProducerRecord w = want.get(i);
                final ConsumerRecord g = got.get(i);
                assertThat(g.offset()).isEqualTo(i);
                assertThat(g.timestamp()).isEqualTo(w.timestamp());
                assertThat(g.key()).isEqualTo(w.key());
                assertThat(g.value()).isEqualTo(w.value());
                assertThat(g.headers()).hasSameSizeAs(w.headers());
                for (int h = 0; h < w.headers().size(); h++)
                {
                    assertThat(g.headers().get(h).key()).isEqualTo(w.headers().get(h).key());
                    assertThat(g.headers().get(h).value()).isEqualTo(w.headers().get(h).value());
                }
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void topicsSurviveARestartAndDeleteRemovesThem()
    {
        try (Admin admin = Admin.create(broker.client()))
        {
            admin.createTopic("durable", 2, 1);
            admin.createTopic("doomed", 1, 1);
        }
        broker.restart();
        try (Admin admin = Admin.create(broker.client()))
        {
            assertThat(admin.listTopics()).extracting(TopicDescription::name).containsExactly("durable", "doomed");
            admin.deleteTopic("doomed");
            assertThat(admin.listTopics()).extracting(TopicDescription::name).containsExactly("durable");
        }
        broker.restart();
        try (Admin admin = Admin.create(broker.client()))
        {
            assertThat(admin.listTopics()).extracting(TopicDescription::name).containsExactly("durable");
        }
    }
}
