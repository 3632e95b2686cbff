package io.swimlog.broker;

import io.swimlog.client.Admin;
import io.swimlog.client.Consumer;
import io.swimlog.client.ConsumerRecord;
import io.swimlog.client.Producer;
import io.swimlog.client.TopicDescription;
import io.swimlog.client.TopicPartition;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetentionTest
{
    @TempDir
    File dataDir;

    private TestBroker broker;

    @AfterEach
    void stop()
    {
        broker.close();
    }

    @Test
    void oldSegmentsBeyondTheRetentionSizeAreDeletedAndConsumersStartAtTheNewLogStart()
    {
        broker = new TestBroker(dataDir);
        broker.node.close();
        broker.termLength = 1024 * 1024;
        broker.retentionBytes = 300L * 1024;
        broker.segmentBytes = 128 * 1024;
        broker.start();
        final int segmentBytes = broker.node.context().segmentBytes();
        try (Admin admin = Admin.create(broker.client()))
        {
            admin.createTopic("short", 1, 1);
        }
        final int records = 4 * segmentBytes / 100;
        try (Producer producer = Producer.create(broker.client().batchSize(16 * 1024)))
        {
            final UnsafeBuffer value = new UnsafeBuffer(new byte[80]);
            for (int i = 0; i < records; i++)
            {
                while (Producer.BACK_PRESSURED == producer.offer("short", 0, null, 0, 0, value, 0, 80, null))
                {
                    Thread.onSpinWait();
                }
            }
            producer.flush();
        }

        broker.restart(); // retention runs on the conductor's first duty cycle, then every 30 s
        final TopicDescription.Partition partition;
        try (Admin admin = Admin.create(broker.client()))
        {
            BadInputTest.awaitCondition(() -> describe(admin).logStartOffset() > 0);
            partition = describe(admin);
        }
        assertThat(partition.highWatermark()).isEqualTo(records);

        try (Consumer consumer = Consumer.create(broker.client().fromBeginning(true)))
        {
            consumer.assign(List.of(new TopicPartition("short", 0)));
            consumer.seek(new TopicPartition("short", 0), 0);
            List<ConsumerRecord> polled = List.of();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (polled.isEmpty() && System.nanoTime() < deadline)
            {
                polled = consumer.poll(Duration.ofMillis(100));
            }
            assertThat(polled).isNotEmpty();
            assertThat(polled.get(0).offset()).isGreaterThanOrEqualTo(partition.logStartOffset());
        }
    }

    private static TopicDescription.Partition describe(final Admin admin)
    {
        return admin.describeTopic("short").partitions().get(0);
    }
}
