package io.swimlog.broker;

import io.swimlog.client.Admin;
import io.swimlog.protocol.broker.ErrorCode;
import io.swimlog.protocol.record.RecordBatchReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdempotenceTest
{
    private static final String TOPIC = "idem";

    @TempDir
    File dataDir;

    private TestBroker broker;
    private RawClient client;

    @BeforeEach
    void start()
    {
        broker = new TestBroker(dataDir);
        try (Admin admin = Admin.create(broker.client()))
        {
            admin.createTopic(TOPIC, 1, 1);
        }
        client = new RawClient(broker.client());
    }

    @AfterEach
    void stop()
    {
        client.close();
        broker.close();
    }

    @Test
    void duplicatedRetriesAreAnsweredWithTheFirstOffsetAndNotAppendedAgain()
    {
        final byte[] first = RawClient.batch(42, (short)0, 0, 3);
        final byte[] second = RawClient.batch(42, (short)0, 3, 2);

        assertThat(client.produce(TOPIC, 0, first)).isEqualTo(ErrorCode.NONE);
        assertThat(client.baseOffset()).isZero();
        assertThat(client.produce(TOPIC, 0, second)).isEqualTo(ErrorCode.NONE);
        assertThat(client.baseOffset()).isEqualTo(3);
        assertThat(client.produce(TOPIC, 0, first)).isEqualTo(ErrorCode.NONE);
        assertThat(client.baseOffset()).isZero();
        assertThat(client.produce(TOPIC, 0, second)).isEqualTo(ErrorCode.NONE);
        assertThat(client.baseOffset()).isEqualTo(3);

        assertThat(values()).containsExactly("v-0", "v-1", "v-2", "v-3", "v-4");
    }

    @Test
    void aReorderedRetryIsRefusedUntilItsPredecessorArrivesThenAppendedOnce()
    {
        final byte[] a = RawClient.batch(43, (short)0, 0, 2);
        final byte[] b = RawClient.batch(43, (short)0, 2, 2);
        final byte[] c = RawClient.batch(43, (short)0, 4, 2);

        assertThat(client.produce(TOPIC, 0, a)).isEqualTo(ErrorCode.NONE);
        assertThat(client.produce(TOPIC, 0, c)).isEqualTo(ErrorCode.OUT_OF_ORDER_SEQUENCE);
        assertThat(client.errorMessage()).contains("next expected is 2");
        assertThat(client.produce(TOPIC, 0, b)).isEqualTo(ErrorCode.NONE);
        assertThat(client.produce(TOPIC, 0, c)).isEqualTo(ErrorCode.NONE);
        assertThat(client.produce(TOPIC, 0, b)).isEqualTo(ErrorCode.NONE);
        assertThat(client.baseOffset()).isEqualTo(2);

        assertThat(values()).containsExactly("v-0", "v-1", "v-2", "v-3", "v-4", "v-5");
    }

    @Test
    void anOlderEpochIsFencedAndANewProducerMustStartAtZero()
    {
        assertThat(client.produce(TOPIC, 0, RawClient.batch(44, (short)1, 0, 1))).isEqualTo(ErrorCode.NONE);
        assertThat(client.produce(TOPIC, 0, RawClient.batch(44, (short)0, 1, 1)))
            .isEqualTo(ErrorCode.INVALID_PRODUCER_EPOCH);
        assertThat(client.produce(TOPIC, 0, RawClient.batch(45, (short)0, 7, 1)))
            .isEqualTo(ErrorCode.UNKNOWN_PRODUCER_ID);
        assertThat(values()).containsExactly("v-0");
    }

    @Test
    void duplicatesAreStillRecognisedAfterARestart()
    {
        final byte[] first = RawClient.batch(46, (short)0, 0, 3);
        assertThat(client.produce(TOPIC, 0, first)).isEqualTo(ErrorCode.NONE);
        client.close();
        broker.restart();
        client = new RawClient(broker.client());

        assertThat(client.produce(TOPIC, 0, first)).isEqualTo(ErrorCode.NONE);
        assertThat(client.baseOffset()).isZero();
        assertThat(client.produce(TOPIC, 0, RawClient.batch(46, (short)0, 3, 1))).isEqualTo(ErrorCode.NONE);
        assertThat(client.baseOffset()).isEqualTo(3);
        assertThat(values()).containsExactly("v-0", "v-1", "v-2", "v-3");
    }

    private List<String> values()
    {
        final List<String> values = new ArrayList<>();
        long offset = 0;
        while (true)
        {
            final int length = client.fetch(TOPIC, 0, offset);
            if (0 == length)
            {
                return values;
            }
            final RecordBatchReader reader = new RecordBatchReader();
            int position = 0;
            while (position < length)
            {
                reader.wrap(client.fetched(), position);
                while (reader.nextRecord())
                {
                    final byte[] value = new byte[reader.valueLength()];
                    client.fetched().getBytes(reader.valueOffset(), value);
                    if (reader.offset() >= offset)
                    {
                        values.add(new String(value, StandardCharsets.UTF_8));
                    }
                }
                offset = reader.batch().nextOffset();
                position += reader.batch().totalSize();
            }
        }
    }
}
