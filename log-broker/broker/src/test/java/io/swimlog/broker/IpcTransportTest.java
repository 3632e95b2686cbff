package io.swimlog.broker;

import io.swimlog.client.Admin;
import io.swimlog.client.BrokerUnavailableException;
import io.swimlog.client.ClientContext;
import io.swimlog.client.Consumer;
import io.swimlog.client.Producer;
import io.swimlog.client.TopicDescription;
import io.swimlog.client.TopicPartition;
import io.swimlog.storage.FlushPolicy;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Clients on the node's media driver talking to it over IPC, beside UDP clients; and producers with linger 0, whose
 * calling threads send batches themselves while a request slot is free.
 */
class IpcTransportTest
{
    private static final int PARTITIONS = 3;

    @TempDir
    File dataDir;

    @TempDir
    File otherDataDir;

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
    void ipcAndUdpProducersWithLingerZeroFromSeveralThreadsAreReadBackInOrderOverBoth() throws Exception
    {
        try (Admin admin = Admin.create(broker.client().ipc(true)))
        {
            admin.createTopic("mixed", PARTITIONS, 1);
        }
        final int threads = 4;
        final int perThread = 5_000;
        try (Producer overIpc = Producer.create(broker.client().ipc(true).acks(1).lingerMs(0));
            Producer overUdp = Producer.create(broker.client().acks(1).lingerMs(0)))
        {
            final List<Thread> senders = new ArrayList<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < threads; t++)
            {
                final int sender = t;
                final Producer producer = 0 == t % 2 ? overIpc : overUdp;
                final Thread thread = new Thread(() ->
                {
                    try
                    {
                        final UnsafeBuffer value = new UnsafeBuffer(new byte[8]);
                        for (int i = 0; i < perThread; i++)
                        {
                            value.putInt(0, sender);
                            value.putInt(4, i);
                            while (Producer.BACK_PRESSURED == producer.offer("mixed", i % PARTITIONS, null, 0, 0,
                                value, 0, 8, null))
                            {
                                Thread.onSpinWait();
                            }
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.set(ex);
                    }
                });
                senders.add(thread);
                thread.start();
            }
            for (final Thread thread : senders)
            {
                thread.join();
            }
            assertThat(failure.get()).isNull();
            overIpc.flush();
            overUdp.flush();
        }

        final int total = threads * perThread;
        assertThat(readAll(broker.client().ipc(true), total, threads)).isEqualTo(total);
        assertThat(readAll(broker.client(), total, threads)).isEqualTo(total);
    }

    /**
     * Reads every partition from the beginning and checks that each sender's records arrive in the order sent, once.
     *
     * @return records read.
     */
    private static int readAll(final ClientContext ctx, final int total, final int senders)
    {
        final int[][] next = new int[PARTITIONS][senders];
        for (int p = 0; p < PARTITIONS; p++)
        {
            Arrays.fill(next[p], p); // sender's record i goes to partition i % PARTITIONS
        }
        final int[] read = new int[1];
        try (Consumer consumer = Consumer.create(ctx))
        {
            final List<TopicPartition> assignment = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++)
            {
                assignment.add(new TopicPartition("mixed", p));
            }
            consumer.assign(assignment);
            consumer.seekToBeginning(assignment);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read[0] < total && System.nanoTime() < deadlineNs)
            {
                consumer.poll((topic, partition, reader) ->
                {
                    final int sender = reader.buffer().getInt(reader.valueOffset());
                    final int sequence = reader.buffer().getInt(reader.valueOffset() + 4);
                    assertThat(sequence).isEqualTo(next[partition][sender]);
                    next[partition][sender] = sequence + PARTITIONS;
                    read[0]++;
                }, 1_000, 100);
            }
        }

        return read[0];
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void twoNodesOnOneDriverEachAnswerTheirOwnIpcClients()
    {
        final String otherEndpoint = "127.0.0.1:" + TestBroker.freeUdpPort();
        try (BrokerNode other = BrokerNode.start(new BrokerContext()
            .nodeId("other")
            .bind(otherEndpoint)
            .dataDir(otherDataDir)
            .flushPolicy(FlushPolicy.NEVER)
            .aeronDirectoryName(broker.driver.aeronDirectoryName())))
        {
            try (Admin toOther = Admin.create(broker.client().bootstrap(otherEndpoint).ipc(true));
                Admin toFirst = Admin.create(broker.client().ipc(true)))
            {
                toOther.createTopic("only-on-other", 1, 1);
                toFirst.createTopic("only-on-first", 1, 1);
                assertThat(toOther.listTopics()).extracting(TopicDescription::name).containsExactly("only-on-other");
                assertThat(toFirst.listTopics()).extracting(TopicDescription::name).containsExactly("only-on-first");
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void ipcToAPortNoNodeOfTheDriverServesFailsWithTheReason()
    {
        final ClientContext ctx = broker.client().bootstrap("127.0.0.1:" + TestBroker.freeUdpPort())
            .ipc(true).connectTimeoutMs(300);
        assertThatThrownBy(() -> CloseHelper.close(Admin.create(ctx)))
            .isInstanceOf(BrokerUnavailableException.class)
            .hasMessageContaining("no broker takes IPC requests on this media driver");
    }

    @Test
    void ipcWithoutTheNodesDriverIsRefusedWhenConcluded()
    {
        assertThatThrownBy(() -> new ClientContext().aeronDirectoryName(null).ipc(true).conclude())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("same media driver");
    }
}
