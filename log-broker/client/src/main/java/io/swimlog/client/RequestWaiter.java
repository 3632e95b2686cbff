package io.swimlog.client;

import io.swimlog.protocol.broker.codecs.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Sends one request and waits for the response with its correlation id (every response starts with it), for
 * the synchronous calls of {@link Admin} and the metadata look-ups of the producer and consumer. Responses to
 * other requests that arrive meanwhile go to the {@code other} handler, so nothing is lost while waiting.
 * <p>
 * Not thread safe.
 */
final class RequestWaiter implements BrokerConnection.ResponseHandler
{
    private final BrokerConnection connection;
    private final ExpandableDirectByteBuffer response = new ExpandableDirectByteBuffer(4096);
    private final IdleStrategy idleStrategy = new BackoffIdleStrategy(
        10, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
    private BrokerConnection.ResponseHandler other;
    private long awaitedCorrelationId;
    private int awaitedTemplateId;
    private boolean answered;
    private int blockLength;
    private int version;

    RequestWaiter(final BrokerConnection connection)
    {
        this.connection = connection;
    }

    void otherResponses(final BrokerConnection.ResponseHandler other)
    {
        this.other = other;
    }

    /**
     * Send the request encoded at the start of the connection's buffer and wait for its response.
     *
     * @throws ClientTimeoutException if no response arrives within the request timeout.
     */
    void request(final long correlationId, final int length, final int templateId)
    {
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(connection.context().requestTimeoutMs());
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (!connection.offer(connection.buffer(), 0, length))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new ClientTimeoutException("the request could not be sent to " +
                    connection.context().bootstrap() + " within " + connection.context().requestTimeoutMs() + " ms");
            }
            idleStrategy.idle();
        }

        awaitedCorrelationId = correlationId;
        awaitedTemplateId = templateId;
        answered = false;
        while (!answered)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new ClientTimeoutException("the broker at " + connection.context().bootstrap() +
                    " did not answer within " + connection.context().requestTimeoutMs() + " ms");
            }
            if (!connection.isConnected())
            {
                throw new BrokerUnavailableException("the broker at " + connection.context().bootstrap() +
                    " went away");
            }
            idleStrategy.idle(connection.poll(this));
        }
    }

    public void onResponse(
        final int templateId,
        final DirectBuffer buffer,
        final int offset,
        final int blockLength,
        final int version,
        final int length)
    {
        if (!answered && templateId == awaitedTemplateId && length >= 8 &&
            buffer.getLong(offset, MessageHeaderEncoder.BYTE_ORDER) == awaitedCorrelationId)
        {
            response.putBytes(0, buffer, offset, length);
            this.blockLength = blockLength;
            this.version = version;
            answered = true;
        }
        else if (null != other)
        {
            other.onResponse(templateId, buffer, offset, blockLength, version, length);
        }
    }

    DirectBuffer response()
    {
        return response;
    }

    int blockLength()
    {
        return blockLength;
    }

    int version()
    {
        return version;
    }
}
