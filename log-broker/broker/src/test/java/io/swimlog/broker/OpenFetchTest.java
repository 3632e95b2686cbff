package io.swimlog.broker;

import io.swimlog.client.Admin;
import io.swimlog.client.Consumer;
import io.swimlog.client.Producer;
import io.swimlog.client.RecordHandler;
import io.swimlog.client.TopicPartition;
import io.swimlog.protocol.broker.ErrorCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Open fetches: one fetch per partition that the broker answers again whenever records are appended, within a
 * byte credit the consumer hands back as it reads.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenFetchTest
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

    @ParameterizedTest(name = "over IPC: {0}")
    @ValueSource(booleans = { false, true })
    void anOpenFetchDeliversEveryRecordInOrderExactlyOnceAcrossManyAppends(final boolean ipc) throws Exception
    {
        createTopic("appends", 2);
        final int perPartition = 10_000;
        final AtomicReference<Throwable> producerError = new AtomicReference<>();
        // A window of 4 KiB: the broker uses up its credit again and again and waits for the consumer's grants.
        try (Consumer consumer = Consumer.create(broker.client().ipc(ipc).fetchMaxBytes(4 * 1024)))
        {
            final List<TopicPartition> partitions =
                List.of(new TopicPartition("appends", 0), new TopicPartition("appends", 1));
            consumer.assign(partitions);
            partitions.forEach(consumer::position);
            final Thread producerThread = new Thread(() ->
            {
                try (Producer producer = Producer.create(broker.client().ipc(ipc).acks(1).lingerMs(0)))
                {
                    final UnsafeBuffer value = new UnsafeBuffer(new byte[8]);
                    for (long i = 0; i < perPartition; i++)
                    {
                        for (int p = 0; p < 2; p++)
                        {
                            value.putLong(0, i, ByteOrder.LITTLE_ENDIAN);
                            while (Producer.BACK_PRESSURED == producer.offer("appends", p, null, 0, 0, value, 0, 8, null))
                            {
                                Thread.onSpinWait();
                            }
                        }
                    }
                    producer.flush();
                }
                catch (final Throwable ex)
                {
                    producerError.set(ex);
                }
            });
            producerThread.start();

            final long[] next = new long[2];
            final RecordHandler handler = (topic, partition, reader) ->
            {
                assertThat(reader.offset()).isEqualTo(next[partition]);
                assertThat(reader.buffer().getLong(reader.valueOffset(), ByteOrder.LITTLE_ENDIAN))
                    .isEqualTo(next[partition]);
                next[partition]++;
            };
            long mostOpen = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while ((next[0] < perPartition || next[1] < perPartition) && System.nanoTime() < deadline)
            {
                consumer.poll(handler, 100, 100);
                mostOpen = Math.max(mostOpen, broker.node.counters().openFetches().get());
            }
            producerThread.join();

            assertThat(producerError.get()).isNull();
            assertThat(next).containsExactly(perPartition, perPartition);
            assertThat(mostOpen).isPositive();
        }
    }

    @Test
    void aSeekWhileAFetchIsOpenGivesRecordsFromTheNewPositionOnly()
    {
        createTopic("seek", 1);
        final TopicPartition tp = new TopicPartition("seek", 0);
        try (Producer producer = Producer.create(broker.client().acks(1));
            Consumer consumer = Consumer.create(broker.client().fetchMaxWaitMs(20_000)))
        {
            produce(producer, "seek", 0, 100);
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            assertThat(read(consumer, 10)).isEqualTo(range(0, 10));

            // The open fetch has most likely sent everything already: what it sent must not come back.
            consumer.seek(tp, 60);
            assertThat(read(consumer, 40)).isEqualTo(range(60, 100));

            // Answers in flight when the seek comes: records appended while the fetch is open at the log end.
            BadInputTest.awaitCondition(() -> broker.node.counters().openFetches().get() == 1);
            final long answersBefore = broker.node.counters().fetches().get();
            produce(producer, "seek", 100, 150);
            BadInputTest.awaitCondition(() -> broker.node.counters().fetches().get() > answersBefore);
            consumer.seek(tp, 30);
            assertThat(read(consumer, 120)).isEqualTo(range(30, 150));

            produce(producer, "seek", 150, 151);
            assertThat(read(consumer, 1)).isEqualTo(range(150, 151));
        }
    }

    @Test
    void creditExhaustionStopsSendsUntilCreditIsGranted()
    {
        createTopic("credit", 2);
        try (RawClient raw = new RawClient(broker.client()))
        {
            for (int i = 0; i < 5; i++)
            {
                assertThat(raw.produce("credit", 0, RawClient.batch(-1, (short)-1, -1, 3))).isEqualTo(ErrorCode.NONE);
            }
            // One byte of credit: the first answer takes one batch and uses it up.
            final long fetch = raw.openFetch("credit", 0, 0, 1, 10_000);
            awaitAnswers(raw, 1);

            // Appends while the credit is used up. The answers an append causes are sent in the duty cycle that
            // acknowledges it, so once a later request (a produce to the other partition) is answered on the
            // same stream, every answer the broker sent before it has arrived.
            for (int i = 0; i < 2; i++)
            {
                assertThat(raw.produce("credit", 0, RawClient.batch(-1, (short)-1, -1, 3))).isEqualTo(ErrorCode.NONE);
            }
            assertThat(raw.produce("credit", 1, RawClient.batch(-1, (short)-1, -1, 1))).isEqualTo(ErrorCode.NONE);
            assertThat(raw.openFetchAnswers).hasSize(1);
            assertThat(raw.openFetchAnswers.get(0).fetchOffset()).isZero();
            assertThat(raw.openFetchAnswers.get(0).nextOffset()).isEqualTo(3);
            assertThat(broker.node.counters().openFetches().get()).isEqualTo(1);

            raw.grant(fetch, 1024 * 1024);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lastNextOffset(raw) != 21 && System.nanoTime() < deadline)
            {
                raw.pollResponses();
            }

            long expected = 0;
            for (final RawClient.FetchAnswer answer : raw.openFetchAnswers)
            {
                assertThat(answer.error()).isEqualTo(ErrorCode.NONE);
                assertThat(answer.fetchOffset()).isEqualTo(expected);
                assertThat(answer.recordsLength()).isPositive();
                expected = answer.nextOffset();
            }
            assertThat(expected).isEqualTo(21);
        }
    }

    @Test
    void anOpenFetchWithNothingToSendForItsWaitEndsWithAnEmptyAnswer()
    {
        createTopic("quiet", 1);
        try (RawClient raw = new RawClient(broker.client()))
        {
            raw.openFetch("quiet", 0, 0, 1024, 50);
            awaitAnswers(raw, 1);

            final RawClient.FetchAnswer answer = raw.openFetchAnswers.get(0);
            assertThat(answer.error()).isEqualTo(ErrorCode.NONE);
            assertThat(answer.recordsLength()).isZero();
            assertThat(answer.nextOffset()).isEqualTo(-1);
            BadInputTest.awaitCondition(() -> broker.node.counters().openFetches().get() == 0);
        }
    }

    @Test
    void aNewFetchForThePartitionReplacesTheOpenOne()
    {
        createTopic("replace", 2);
        try (RawClient raw = new RawClient(broker.client()))
        {
            raw.openFetch("replace", 0, 0, 1024 * 1024, 10_000);
            BadInputTest.awaitCondition(() -> broker.node.counters().openFetches().get() == 1);
            raw.openFetch("replace", 0, 0, 1024 * 1024, 10_000);
            assertThat(raw.produce("replace", 0, RawClient.batch(-1, (short)-1, -1, 2))).isEqualTo(ErrorCode.NONE);
            awaitAnswers(raw, 1);
            // Once a later request is answered, every fetch answer sent before it has arrived: only the new one's.
            assertThat(raw.produce("replace", 1, RawClient.batch(-1, (short)-1, -1, 1))).isEqualTo(ErrorCode.NONE);

            assertThat(raw.openFetchAnswers).hasSize(1);
            assertThat(raw.openFetchAnswers.get(0).nextOffset()).isEqualTo(2);
            assertThat(broker.node.counters().fetches().get()).isEqualTo(1);
            assertThat(broker.node.counters().openFetches().get()).isEqualTo(1);
        }
    }

    @Test
    void aVersion0FetchIsAnsweredOnceAsBefore()
    {
        createTopic("old", 1);
        try (RawClient raw = new RawClient(broker.client()))
        {
            assertThat(raw.produce("old", 0, RawClient.batch(-1, (short)-1, -1, 3))).isEqualTo(ErrorCode.NONE);

            assertThat(raw.fetchVersion0("old", 0, 0)).isPositive();
            assertThat(raw.lastNextOffset()).isEqualTo(-1);
            assertThat(broker.node.counters().openFetches().get()).isZero();
            assertThat(broker.node.counters().malformedMessages().get()).isZero();
        }
    }

    @Test
    void aConsumerThatStopsReadingDoesNotHoldBackProducersOrOtherConsumers()
    {
        createTopic("slow", 1);
        final TopicPartition tp = new TopicPartition("slow", 0);
        final int window = 64 * 1024;
        final int batchSize = 16 * 1024;
        final int records = 50_000;
        try (Consumer slow = Consumer.create(broker.client().fetchMaxBytes(window).fetchMaxWaitMs(20_000));
            Consumer fast = Consumer.create(broker.client()))
        {
            slow.assign(List.of(tp));
            slow.seek(tp, 0);
            assertThat(slow.poll((topic, partition, reader) -> { }, 1, 0)).isZero();
            BadInputTest.awaitCondition(() -> broker.node.counters().openFetches().get() == 1);

            try (Producer producer = Producer.create(broker.client().acks(1).batchSize(batchSize)))
            {
                produce(producer, "slow", 0, records);
            }
            // The slow consumer reads nothing: the broker sent it one window (and at most one batch more).
            assertThat(broker.node.counters().fetchedBytes().get()).isLessThanOrEqualTo(window + batchSize);

            fast.assign(List.of(tp));
            fast.seek(tp, 0);
            assertThat(read(fast, records)).isEqualTo(range(0, records));
            assertThat(read(slow, records)).isEqualTo(range(0, records));
        }
    }

    private void createTopic(final String topic, final int partitions)
    {
        try (Admin admin = Admin.create(broker.client()))
        {
            admin.createTopic(topic, partitions, 1);
        }
    }

    private static void produce(final Producer producer, final String topic, final long from, final long to)
    {
        final UnsafeBuffer value = new UnsafeBuffer(new byte[100]);
        for (long i = from; i < to; i++)
        {
            value.putLong(0, i, ByteOrder.LITTLE_ENDIAN);
            while (Producer.BACK_PRESSURED == producer.offer(topic, 0, null, 0, 0, value, 0, 100, null))
            {
                Thread.onSpinWait();
            }
        }
        producer.flush();
    }

    /**
     * @return the values (each its record's offset) of the next {@code count} records, checking that no record
     * is handed over twice or out of order; fails if they do not arrive within 20 s.
     */
    private static List<Long> read(final Consumer consumer, final int count)
    {
        final List<Long> values = new ArrayList<>();
        final RecordHandler handler = (topic, partition, reader) ->
        {
            final long value = reader.buffer().getLong(reader.valueOffset(), ByteOrder.LITTLE_ENDIAN);
            assertThat(reader.offset()).isEqualTo(value);
            values.add(value);
        };
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (values.size() < count && System.nanoTime() < deadline)
        {
            consumer.poll(handler, count - values.size(), 100);
        }
        return values;
    }

    private static List<Long> range(final long from, final long to)
    {
        return LongStream.range(from, to).boxed().collect(Collectors.toList());
    }

    private static void awaitAnswers(final RawClient raw, final int count)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (raw.openFetchAnswers.size() < count)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("fewer than " + count + " answers to the open fetch within 10 s");
            }
            if (0 == raw.pollResponses())
            {
                Thread.yield();
            }
        }
    }

    private static long lastNextOffset(final RawClient raw)
    {
        return raw.openFetchAnswers.isEmpty() ? -1 : raw.openFetchAnswers.get(raw.openFetchAnswers.size() - 1)
            .nextOffset();
    }
}
