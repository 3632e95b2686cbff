package io.swimlog.broker;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.swimlog.client.Admin;
import io.swimlog.client.Consumer;
import io.swimlog.client.ConsumerRecord;
import io.swimlog.client.Producer;
import io.swimlog.client.ProducerRecord;
import io.swimlog.client.TopicPartition;
import io.swimlog.protocol.broker.BrokerProtocol;
import io.swimlog.protocol.broker.ErrorCode;
import io.swimlog.protocol.broker.codecs.FetchRequestEncoder;
import io.swimlog.protocol.broker.codecs.MessageHeaderEncoder;
import io.swimlog.protocol.broker.codecs.ProduceRequestEncoder;
import io.swimlog.protocol.record.RecordBatch;
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
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest
{
    private static final String TOPIC = "bad-input";

    @TempDir
    File dataDir;

    private TestBroker broker;

    @BeforeEach
    void start()
    {
        broker = new TestBroker(dataDir);
        broker.node.close();
        broker.termLength = 1024 * 1024;
        broker.start();
        try (Admin admin = Admin.create(broker.client()))
        {
            admin.createTopic(TOPIC, 1, 1);
        }
    }

    @AfterEach
    void stop()
    {
        broker.close();
    }

    @Test
    void garbageAndTruncatedFramesAreDroppedAndCountedAndTheBrokerKeepsServing()
    {
        final long malformedBefore = broker.node.counters().malformedMessages().get();
        int sent = 0;
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(broker.driver.aeronDirectoryName()));
            ExclusivePublication publication = aeron.addExclusivePublication(
                "aeron:udp?endpoint=" + broker.endpoint, BrokerProtocol.REQUEST_STREAM_ID))
        {
            awaitConnected(publication);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
            final Random random = new Random(7);

            // Pure garbage of assorted lengths, including shorter than a message header.
            for (int i = 0; i < 20; i++)
            {
                final byte[] garbage = new byte[1 + random.nextInt(600)];
                random.nextBytes(garbage);
                if (garbage.length > 5)
                {
                    garbage[4] = 99; // a schema id other than the broker's, whatever the random bytes were
                    garbage[5] = 0;
                }
                buffer.putBytes(0, garbage);
                offer(publication, buffer, garbage.length);
                sent++;
            }

            // A well-formed header of an unknown template.
            final MessageHeaderEncoder header = new MessageHeaderEncoder().wrap(buffer, 0)
                .blockLength(8).templateId(999).schemaId(MessageHeaderEncoder.SCHEMA_ID).version(0);
            offer(publication, buffer, MessageHeaderEncoder.ENCODED_LENGTH + 8);
            sent++;

            // A produce request truncated in its root block, and one whose topic length runs past the frame.
            final ProduceRequestEncoder produce = new ProduceRequestEncoder()
                .wrapAndApplyHeader(buffer, 0, header)
                .correlationId(1).sessionId(1).partition(0).acks((byte)1).topic(TOPIC)
                .putRecords(new byte[100], 0, 100);
            offer(publication, buffer, MessageHeaderEncoder.ENCODED_LENGTH + 10);
            sent++;
            offer(publication, buffer, MessageHeaderEncoder.ENCODED_LENGTH + ProduceRequestEncoder.BLOCK_LENGTH + 4);
            sent++;
            assertThat(produce.encodedLength()).isGreaterThan(ProduceRequestEncoder.BLOCK_LENGTH);

            // A fetch whose topic length claims more bytes than were sent.
            new FetchRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
                .correlationId(2).sessionId(1).partition(0).fetchOffset(0).maxBytes(100).maxWaitMs(0)
                .topic("x".repeat(300));
            offer(publication, buffer, MessageHeaderEncoder.ENCODED_LENGTH + FetchRequestEncoder.BLOCK_LENGTH + 20);
            sent++;
        }

        final int expected = sent;
        awaitCondition(() -> broker.node.counters().malformedMessages().get() - malformedBefore >= expected);
        assertRoundTripStillWorks("after garbage");
    }

    @Test
    void aBatchWithABadCrcIsRefusedWithAnErrorCodeAndNothingIsAppended()
    {
        try (RawClient client = new RawClient(broker.client()))
        {
            final byte[] batch = RawClient.batch(-1, (short)-1, -1, 3);
            batch[batch.length - 1] ^= 0x5A;
            assertThat(client.produce(TOPIC, 0, batch)).isEqualTo(ErrorCode.INVALID_RECORD_BATCH);
            assertThat(client.errorMessage()).contains("CRC");

            final byte[] truncated = new byte[RecordBatch.HEADER_LENGTH - 1];
            assertThat(client.produce(TOPIC, 0, truncated)).isEqualTo(ErrorCode.INVALID_RECORD_BATCH);

            final byte[] wrongLength = RawClient.batch(-1, (short)-1, -1, 2);
            final byte[] shortened = java.util.Arrays.copyOf(wrongLength, wrongLength.length - 3);
            assertThat(client.produce(TOPIC, 0, shortened)).isEqualTo(ErrorCode.INVALID_RECORD_BATCH);

            assertThat(client.produce("no-such-topic", 0, RawClient.batch(-1, (short)-1, -1, 1)))
                .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(client.produce(TOPIC, 5, RawClient.batch(-1, (short)-1, -1, 1)))
                .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(client.fetch(TOPIC, 0, 0)).isZero();
        }
        assertRoundTripStillWorks("after bad batches");
    }

    @Test
    void anOversizedBatchIsRefusedAsTooLarge()
    {
        try (RawClient client = new RawClient(broker.client()))
        {
            final int max = broker.node.context().maxBatchBytes();
            final byte[] big = new byte[max + 1];
            assertThat(client.produce(TOPIC, 0, big)).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
        }
        assertRoundTripStillWorks("after an oversized batch");
    }

    @Test
    void connectsBeyondTheSessionLimitAreDroppedAndCountedAndTheBrokerKeepsServing()
    {
        broker.node.close();
        broker.maxSessions = 2;
        broker.start();
        try (RawClient first = new RawClient(broker.client());
            RawClient second = new RawClient(broker.client()))
        {
            assertThatThrownBy(() -> new RawClient(broker.client().connectTimeoutMs(500)))
                .isInstanceOf(io.swimlog.client.BrokerUnavailableException.class)
                .hasMessageContaining("no answer to the connect request");
            assertThat(broker.node.counters().refusedConnects().get()).isPositive();
            assertThat(first.fetch(TOPIC, 0, 0)).isZero();
        }
        assertRoundTripStillWorks("after refused connects");
    }

    @Test
    void anOffsetOutsideTheLogIsRefused()
    {
        try (RawClient client = new RawClient(broker.client()))
        {
            client.fetch(TOPIC, 0, 1_000);
            assertThat(client.errorMessage()).contains("outside");
        }
    }

    private void assertRoundTripStillWorks(final String when)
    {
        try (Producer producer = Producer.create(broker.client());
            Consumer consumer = Consumer.create(broker.client().fromBeginning(true)))
        {
            producer.send(new ProducerRecord(TOPIC, null, ("ok " + when).getBytes(StandardCharsets.UTF_8)));
            producer.flush();
            consumer.assign(List.of(new TopicPartition(TOPIC, 0)));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline)
            {
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(100)))
                {
                    assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("ok " + when);
                    return;
                }
            }
            throw new AssertionError("no record came back " + when);
        }
    }

    private static void offer(final ExclusivePublication publication, final UnsafeBuffer buffer, final int length)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (publication.offer(buffer, 0, length) < 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("could not offer");
            }
            Thread.onSpinWait();
        }
    }

    private static void awaitConnected(final ExclusivePublication publication)
    {
        awaitCondition(publication::isConnected);
    }

    static void awaitCondition(final java.util.function.BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.yield();
        }
    }
}
