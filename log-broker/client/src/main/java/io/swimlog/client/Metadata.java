package io.swimlog.client;

import io.swimlog.protocol.broker.ErrorCode;
import io.swimlog.protocol.broker.codecs.MessageHeaderEncoder;
import io.swimlog.protocol.broker.codecs.MetadataRequestEncoder;
import io.swimlog.protocol.broker.codecs.MetadataResponseDecoder;

import java.util.ArrayList;
import java.util.List;

/**
 * The metadata request shared by the client objects: topics, their partitions and leaders.
 */
final class Metadata
{
    private Metadata()
    {
    }

    /**
     * @param topic one topic, or "" for all.
     * @return the topics described.
     * @throws UnknownTopicException if {@code topic} does not exist.
     */
    static List<TopicDescription> fetch(
        final BrokerConnection connection,
        final RequestWaiter waiter,
        final MetadataRequestEncoder request,
        final MetadataResponseDecoder response,
        final String topic)
    {
        connection.ensureSession();
        final long correlationId = connection.nextCorrelationId();
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + request
            .wrapAndApplyHeader(connection.buffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .sessionId(connection.sessionId())
            .topic(topic)
            .encodedLength();
        waiter.request(correlationId, length, MetadataResponseDecoder.TEMPLATE_ID);

        final MetadataResponseDecoder decoder = response.wrap(
            waiter.response(), 0, waiter.blockLength(), waiter.version());
        final ErrorCode error = ErrorCode.get(decoder.errorCode());
        for (final MetadataResponseDecoder.BrokersDecoder broker : decoder.brokers())
        {
            broker.skipBrokerId();
            broker.skipEndpoint();
        }
        final List<TopicDescription> topics = new ArrayList<>();
        for (final MetadataResponseDecoder.TopicsDecoder topicDecoder : decoder.topics())
        {
            final int replicationFactor = topicDecoder.replicationFactor();
            final List<TopicDescription.Partition> partitions = new ArrayList<>();
            for (final MetadataResponseDecoder.TopicsDecoder.PartitionsDecoder partition : topicDecoder.partitions())
            {
                final int index = partition.partition();
                final int leaderEpoch = partition.leaderEpoch();
                final long logStartOffset = partition.logStartOffset();
                final long highWatermark = partition.highWatermark();
                partitions.add(new TopicDescription.Partition(
                    index, partition.leader(), leaderEpoch, logStartOffset, highWatermark));
            }
            topics.add(new TopicDescription(topicDecoder.name(), replicationFactor, List.copyOf(partitions)));
        }
        final String message = decoder.errorMessage();
        if (ErrorCode.NONE != error)
        {
            throw ClientException.of(error, message);
        }

        return topics;
    }
}
