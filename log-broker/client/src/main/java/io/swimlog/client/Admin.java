package io.swimlog.client;

import io.swimlog.protocol.broker.ErrorCode;
import io.swimlog.protocol.broker.codecs.AdminResponseDecoder;
import io.swimlog.protocol.broker.codecs.CreateTopicRequestEncoder;
import io.swimlog.protocol.broker.codecs.DeleteTopicRequestEncoder;
import io.swimlog.protocol.broker.codecs.MembersRequestEncoder;
import io.swimlog.protocol.broker.codecs.MembersResponseDecoder;
import io.swimlog.protocol.broker.codecs.MessageHeaderEncoder;
import io.swimlog.protocol.broker.codecs.MetadataRequestEncoder;
import io.swimlog.protocol.broker.codecs.MetadataResponseDecoder;

import java.util.ArrayList;
import java.util.List;

/**
 * Manages topics and inspects the cluster: create, delete, list and describe topics, list members. Every call
 * waits for the broker's answer, up to the request timeout.
 * <pre>{@code
 * try (Admin admin = Admin.create(new ClientContext().bootstrap("127.0.0.1:7000")))
 * {
 *     admin.createTopic("orders", 6, 1);
 *     admin.describeTopic("orders").partitions().forEach(System.out::println);
 * }
 * }</pre>
 * Thread safe: calls are serialised.
 */
public final class Admin implements AutoCloseable
{
    private final BrokerConnection connection;
    private final RequestWaiter waiter;
    private final CreateTopicRequestEncoder createTopic = new CreateTopicRequestEncoder();
    private final DeleteTopicRequestEncoder deleteTopic = new DeleteTopicRequestEncoder();
    private final MetadataRequestEncoder metadataRequest = new MetadataRequestEncoder();
    private final MembersRequestEncoder membersRequest = new MembersRequestEncoder();
    private final AdminResponseDecoder adminResponse = new AdminResponseDecoder();
    private final MetadataResponseDecoder metadataResponse = new MetadataResponseDecoder();
    private final MembersResponseDecoder membersResponse = new MembersResponseDecoder();

    private Admin(final ClientContext ctx)
    {
        connection = new BrokerConnection(ctx);
        waiter = new RequestWaiter(connection);
    }

    /**
     * Connect to the broker at {@code ctx.bootstrap()}.
     *
     * @throws BrokerUnavailableException if it does not answer.
     */
    public static Admin create(final ClientContext ctx)
    {
        return new Admin(ctx);
    }

    /**
     * @throws ClientException naming why the broker refused (exists, invalid name, ...).
     */
    public synchronized void createTopic(final String topic, final int partitions, final int replicationFactor)
    {
        connection.ensureSession();
        final long correlationId = connection.nextCorrelationId();
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + createTopic
            .wrapAndApplyHeader(connection.buffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .sessionId(connection.sessionId())
            .partitions(partitions)
            .replicationFactor((short)replicationFactor)
            .topic(topic)
            .encodedLength();
        waiter.request(correlationId, length, AdminResponseDecoder.TEMPLATE_ID);
        checkAdminResponse();
    }

    /**
     * @throws UnknownTopicException if there is no such topic.
     */
    public synchronized void deleteTopic(final String topic)
    {
        connection.ensureSession();
        final long correlationId = connection.nextCorrelationId();
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + deleteTopic
            .wrapAndApplyHeader(connection.buffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .sessionId(connection.sessionId())
            .topic(topic)
            .encodedLength();
        waiter.request(correlationId, length, AdminResponseDecoder.TEMPLATE_ID);
        checkAdminResponse();
    }

    private void checkAdminResponse()
    {
        adminResponse.wrap(waiter.response(), 0, waiter.blockLength(), waiter.version());
        final ErrorCode error = ErrorCode.get(adminResponse.errorCode());
        final String message = adminResponse.errorMessage();
        if (ErrorCode.NONE != error)
        {
            throw ClientException.of(error, message);
        }
    }

    /**
     * @return every topic, in creation order.
     */
    public synchronized List<TopicDescription> listTopics()
    {
        return metadata("");
    }

    /**
     * @throws UnknownTopicException if there is no such topic.
     */
    public synchronized TopicDescription describeTopic(final String topic)
    {
        if (topic.isEmpty())
        {
            throw new UnknownTopicException("a topic name must not be empty");
        }
        return metadata(topic).get(0);
    }

    private List<TopicDescription> metadata(final String topic)
    {
        return Metadata.fetch(connection, waiter, metadataRequest, metadataResponse, topic);
    }

    /**
     * @return the members the broker's membership knows, itself included.
     */
    public synchronized List<MemberDescription> members()
    {
        connection.ensureSession();
        final long correlationId = connection.nextCorrelationId();
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + membersRequest
            .wrapAndApplyHeader(connection.buffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .sessionId(connection.sessionId())
            .encodedLength();
        waiter.request(correlationId, length, MembersResponseDecoder.TEMPLATE_ID);
        final MembersResponseDecoder decoder = membersResponse.wrap(
            waiter.response(), 0, waiter.blockLength(), waiter.version());
        final ErrorCode error = ErrorCode.get(decoder.errorCode());
        final List<MemberDescription> members = new ArrayList<>();
        for (final MembersResponseDecoder.MembersDecoder member : decoder.members())
        {
            final long incarnation = member.incarnation();
            final short state = member.state();
            final String id = member.memberId();
            final String endpoint = member.endpoint();
            final byte[] metadata = new byte[member.metadataLength()];
            member.getMetadata(metadata, 0, metadata.length);
            members.add(new MemberDescription(id, endpoint, MemberDescription.stateName(state), incarnation, metadata));
        }
        final String message = decoder.errorMessage();
        if (ErrorCode.NONE != error)
        {
            throw ClientException.of(error, message);
        }

        return members;
    }

    /**
     * @return the id of the broker this client is connected to.
     */
    public String brokerId()
    {
        return connection.brokerId();
    }

    public synchronized void close()
    {
        connection.close();
    }
}
