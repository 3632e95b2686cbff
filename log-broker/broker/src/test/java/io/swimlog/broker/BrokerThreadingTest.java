package io.swimlog.broker;

import io.swimlog.client.Admin;
import io.swimlog.client.ClientContext;
import io.swimlog.client.Consumer;
import io.swimlog.client.ConsumerRecord;
import io.swimlog.client.Producer;
import io.swimlog.client.ProducerRecord;
import io.swimlog.protocol.broker.IdleStrategies;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The broker's shared threading mode (its thread runs the embedded media driver) serves produce and fetch, stops
 * cleanly and restarts on its data; the idle strategy and threading settings refuse what they cannot honour.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrokerThreadingTest
{
    @TempDir
    File dataDir;

    @Test
    void aSharedThreadNodeServesProducersAndConsumersAndRestartsOnItsData() throws Exception
    {
        final String endpoint = "127.0.0.1:" + TestBroker.freeUdpPort();
        final int count = 20_000;
        try (BrokerNode node = startShared(endpoint))
        {
            try (Admin admin = Admin.create(client(endpoint)))
            {
                admin.createTopic("shared", 3, 1);
            }
            try (Producer producer = Producer.create(client(endpoint).acks(1).lingerMs(0)))
            {
                for (int i = 0; i < count; i++)
                {
                    producer.send(new ProducerRecord("shared", i % 3, -1L, null,
                        Integer.toString(i).getBytes(StandardCharsets.UTF_8), List.of()));
                }
                producer.flush();
                assertThat(producer.acknowledgedRecords()).isEqualTo(count);
            }
            assertThat(node.context().threadingMode()).isEqualTo(BrokerThreadingMode.SHARED);
        }

        try (BrokerNode ignored = startShared(endpoint);
            Consumer consumer = Consumer.create(client(endpoint).fromBeginning(true)))
        {
            consumer.subscribe(List.of("shared"));
            final List<List<Integer>> byPartition = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            int total = 0;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (total < count && System.nanoTime() - deadlineNs < 0)
            {
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(200)))
                {
                    byPartition.get(record.partition())
                        .add(Integer.parseInt(new String(record.value(), StandardCharsets.UTF_8)));
                    total++;
                }
            }
            assertThat(total).isEqualTo(count);
            for (int p = 0; p < 3; p++)
            {
                final List<Integer> values = byPartition.get(p);
                assertThat(values).hasSize(count / 3 + (p < count % 3 ? 1 : 0));
                for (int i = 0; i < values.size(); i++)
                {
                    assertThat(values.get(i)).isEqualTo(p + 3 * i);
                }
            }
        }
    }

    @Test
    void idleStrategiesAreChosenByNameAndUnknownNamesAreRefused()
    {
        assertThat(IdleStrategies.newIdleStrategy("backoff")).isInstanceOf(BackoffIdleStrategy.class);
        assertThat(IdleStrategies.newIdleStrategy("yield")).isInstanceOf(YieldingIdleStrategy.class);
        assertThat(IdleStrategies.newIdleStrategy("spin")).isInstanceOf(BusySpinIdleStrategy.class);
        assertThatThrownBy(() -> IdleStrategies.newIdleStrategy("sometimes"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("unknown idle strategy 'sometimes': use backoff, yield, spin or noop");

        assertThat(new ClientContext().idleStrategyName("yield").newIdleStrategy())
            .isInstanceOf(YieldingIdleStrategy.class);
        assertThatThrownBy(() -> new ClientContext().idleStrategyName("sometimes").conclude())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("unknown idle strategy 'sometimes': use backoff, yield, spin or noop");
    }

    @Test
    void sharedThreadingNeedsTheEmbeddedDriver()
    {
        final BrokerContext ctx = new BrokerContext().dataDir(dataDir)
            .threadingMode(BrokerThreadingMode.SHARED).aeronDirectoryName("/dev/shm/some-external-driver");
        assertThatThrownBy(ctx::conclude)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("shared threading runs the embedded media driver on the broker's thread");
    }

    private BrokerNode startShared(final String endpoint)
    {
        return BrokerNode.start(new BrokerContext()
            .nodeId("shared-broker")
            .bind(endpoint)
            .dataDir(dataDir)
            .threadingMode(BrokerThreadingMode.SHARED));
    }

    private static ClientContext client(final String endpoint)
    {
        return new ClientContext().bootstrap(endpoint).requestTimeoutMs(10_000).deliveryTimeoutMs(60_000);
    }
}
