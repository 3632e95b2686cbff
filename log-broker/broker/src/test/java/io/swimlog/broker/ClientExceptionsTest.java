package io.swimlog.broker;

import io.swimlog.client.Admin;
import io.swimlog.client.BrokerUnavailableException;
import io.swimlog.client.ClientException;
import io.swimlog.client.Consumer;
import io.swimlog.client.Producer;
import io.swimlog.client.ProducerRecord;
import io.swimlog.client.RecordTooLargeException;
import io.swimlog.client.TopicPartition;
import io.swimlog.client.UnknownTopicException;
import io.swimlog.protocol.broker.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientExceptionsTest
{
    @TempDir
    File dataDir;

    private TestBroker broker;

    @BeforeEach
    void start()
    {
        broker = new TestBroker(dataDir);
        try (Admin admin = Admin.create(broker.client()))
        {
            admin.createTopic("known", 2, 1);
        }
    }

    @AfterEach
    void stop()
    {
        broker.close();
    }

    @Test
    void anUnknownTopicOrPartitionIsNamed()
    {
        try (Producer producer = Producer.create(broker.client());
            Consumer consumer = Consumer.create(broker.client()))
        {
            assertThatThrownBy(() -> producer.send(new ProducerRecord("unknown", null, new byte[1])))
                .isInstanceOf(UnknownTopicException.class).hasMessage("topic 'unknown' does not exist");
            assertThatThrownBy(() -> producer.send(new ProducerRecord("known", 2, -1, null, new byte[1], List.of())))
                .isInstanceOf(UnknownTopicException.class).hasMessageContaining("partition 2 of topic 'known'");
            assertThatThrownBy(() -> consumer.assign(List.of(new TopicPartition("unknown", 0))))
                .isInstanceOf(UnknownTopicException.class);
        }
    }

    @Test
    void aRecordLargerThanARequestIsRefusedBeforeItIsSent()
    {
        try (Producer producer = Producer.create(broker.client()))
        {
            assertThatThrownBy(() -> producer.send(new ProducerRecord("known", null, new byte[3 * 1024 * 1024])))
                .isInstanceOf(RecordTooLargeException.class).hasMessageContaining("larger than the");
        }
    }

    @Test
    void adminErrorsCarryTheBrokersCodeAndSentence()
    {
        try (Admin admin = Admin.create(broker.client()))
        {
            assertThatThrownBy(() -> admin.createTopic("known", 1, 1))
                .isInstanceOfSatisfying(ClientException.class,
                    ex -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.TOPIC_ALREADY_EXISTS))
                .hasMessage("topic 'known' already exists");
            assertThatThrownBy(() -> admin.createTopic("bad/name", 1, 1))
                .isInstanceOfSatisfying(ClientException.class,
                    ex -> assertThat(ex.errorCode()).isEqualTo(ErrorCode.INVALID_TOPIC));
            assertThatThrownBy(() -> admin.createTopic("replicated", 1, 3))
                .hasMessageContaining("replication factor 3 is not possible");
            assertThatThrownBy(() -> admin.deleteTopic("unknown")).isInstanceOf(UnknownTopicException.class);
        }
    }

    @Test
    void aBrokerThatIsGoneIsNamed()
    {
        broker.node.close();
        assertThatThrownBy(() -> Admin.create(broker.client().connectTimeoutMs(300)))
            .isInstanceOf(BrokerUnavailableException.class)
            .hasMessageStartingWith("cannot reach the broker at " + broker.endpoint);
        broker.start();
    }
}
