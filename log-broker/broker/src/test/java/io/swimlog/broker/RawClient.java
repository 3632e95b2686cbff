package io.swimlog.broker;

import io.swimlog.client.BrokerConnection;
import io.swimlog.client.ClientContext;
import io.swimlog.protocol.broker.BrokerProtocol;
import io.swimlog.protocol.broker.ErrorCode;
import io.swimlog.protocol.broker.codecs.FetchCreditEncoder;
import io.swimlog.protocol.broker.codecs.FetchRequestEncoder;
import io.swimlog.protocol.broker.codecs.FetchResponseDecoder;
import io.swimlog.protocol.broker.codecs.MessageHeaderEncoder;
import io.swimlog.protocol.broker.codecs.ProduceRequestEncoder;
import io.swimlog.protocol.broker.codecs.ProduceResponseDecoder;
import io.swimlog.protocol.record.RecordBatchBuilder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test client one level below the Producer: builds batches with chosen producer ids and sequences and sends
 * them as they are, so tests can replay, reorder and corrupt them.
 */
final class RawClient implements AutoCloseable
{
    final BrokerConnection connection;
    private final ProduceRequestEncoder produceRequest = new ProduceRequestEncoder();
    private final ProduceResponseDecoder produceResponse = new ProduceResponseDecoder();
    private final FetchRequestEncoder fetchRequest = new FetchRequestEncoder();
    private final FetchResponseDecoder fetchResponse = new FetchResponseDecoder();
    private final FetchCreditEncoder fetchCredit = new FetchCreditEncoder();
    /**
     * Every answer to the open fetch of {@link #openFetch}, in arrival order.
     */
    final List<FetchAnswer> openFetchAnswers = new ArrayList<>();
    private long openFetchCorrelationId = -1;
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[4 * 1024 * 1024]);
    private final ExpandableDirectByteBuffer fetched = new ExpandableDirectByteBuffer(1024);
    private long awaited;
    private boolean answered;
    private ErrorCode error;
    private String errorMessage;
    private long baseOffset;
    private int fetchedLength;
    private long lastNextOffset;

    RawClient(final ClientContext ctx)
    {
        connection = new BrokerConnection(ctx);
    }

    /**
     * @return a batch of {@code count} records "v-i" as built by an idempotent producer.
     */
    static byte[] batch(final long producerId, final short epoch, final int baseSequence, final int count)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(buffer, 0, buffer.capacity());
        for (int i = 0; i < count; i++)
        {
            final byte[] value = ("v-" + (baseSequence + i)).getBytes(StandardCharsets.UTF_8);
            builder.tryAppend(1000 + i, null, 0, 0, new UnsafeBuffer(value), 0, value.length);
        }
        builder.producer(producerId, epoch, baseSequence);
        final int length = builder.build();
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /**
     * Send a produce request carrying {@code records} as they are and wait for the answer.
     */
    ErrorCode produce(final String topic, final int partition, final byte[] records)
    {
        final long correlationId = connection.nextCorrelationId();
        final ProduceRequestEncoder encoder = produceRequest.wrapAndApplyHeader(request, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .sessionId(connection.sessionId())
            .partition(partition)
            .acks(BrokerProtocol.ACKS_LEADER)
            .topic(topic)
            .putRecords(records, 0, records.length);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        await(correlationId);
        return error;
    }

    long baseOffset()
    {
        return baseOffset;
    }

    String errorMessage()
    {
        return errorMessage;
    }

    /**
     * Fetch from {@code offset} without waiting.
     *
     * @return bytes of batches fetched (see {@link #fetched()}).
     */
    int fetch(final String topic, final int partition, final long offset)
    {
        final long correlationId = connection.nextCorrelationId();
        sendFetch(correlationId, topic, partition, offset, 1024 * 1024, 0, 0);
        await(correlationId);
        return fetchedLength;
    }

    /**
     * Send a fetch and do not wait for (or read) its answer: a consumer that stops reading.
     */
    void fetchWithoutReading(final String topic, final int partition, final long offset, final int maxBytes)
    {
        sendFetch(connection.nextCorrelationId(), topic, partition, offset, maxBytes, 0, 0);
    }

    private void sendFetch(
        final long correlationId, final String topic, final int partition, final long offset, final int maxBytes,
        final int maxWaitMs, final int openCreditBytes)
    {
        final FetchRequestEncoder encoder = fetchRequest.wrapAndApplyHeader(request, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .sessionId(connection.sessionId())
            .partition(partition)
            .fetchOffset(offset)
            .maxBytes(maxBytes)
            .maxWaitMs(maxWaitMs)
            .openCreditBytes(openCreditBytes)
            .topic(topic);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /**
     * One answer to an open fetch: where it reads from, where the fetch continues (-1: it ended), its bytes.
     */
    record FetchAnswer(ErrorCode error, long fetchOffset, long nextOffset, int recordsLength)
    {
    }

    /**
     * Send an open fetch with {@code creditBytes} of credit; its answers are collected in
     * {@link #openFetchAnswers} whenever responses are read (by any call that waits, or {@link #pollResponses}).
     *
     * @return its correlation id.
     */
    long openFetch(
        final String topic, final int partition, final long offset, final int creditBytes, final int maxWaitMs)
    {
        final long correlationId = connection.nextCorrelationId();
        openFetchCorrelationId = correlationId;
        sendFetch(correlationId, topic, partition, offset, 1024 * 1024, maxWaitMs, creditBytes);
        return correlationId;
    }

    void grant(final long correlationId, final int creditBytes)
    {
        final FetchCreditEncoder encoder = fetchCredit.wrapAndApplyHeader(request, 0, new MessageHeaderEncoder())
            .sessionId(connection.sessionId())
            .correlationId(correlationId)
            .creditBytes(creditBytes);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /**
     * Send a version 0 fetch, as a client built before open fetches encodes it (no openCreditBytes), and wait.
     *
     * @return bytes of batches fetched.
     */
    int fetchVersion0(final String topic, final int partition, final long offset)
    {
        final long correlationId = connection.nextCorrelationId();
        final UnsafeBuffer encoded = new UnsafeBuffer(new byte[256]);
        final FetchRequestEncoder encoder = fetchRequest.wrapAndApplyHeader(encoded, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .sessionId(connection.sessionId())
            .partition(partition)
            .fetchOffset(offset)
            .maxBytes(1024 * 1024)
            .maxWaitMs(0)
            .topic(topic);
        final int v0BlockLength = FetchRequestEncoder.openCreditBytesEncodingOffset();
        final int topicLength = encoder.encodedLength() - FetchRequestEncoder.BLOCK_LENGTH;
        new MessageHeaderEncoder().wrap(request, 0)
            .blockLength(v0BlockLength)
            .templateId(FetchRequestEncoder.TEMPLATE_ID)
            .schemaId(FetchRequestEncoder.SCHEMA_ID)
            .version(0);
        final int body = MessageHeaderEncoder.ENCODED_LENGTH;
        request.putBytes(body, encoded, body, v0BlockLength);
        request.putBytes(body + v0BlockLength, encoded, body + FetchRequestEncoder.BLOCK_LENGTH, topicLength);
        send(body + v0BlockLength + topicLength);
        await(correlationId);
        return fetchedLength;
    }

    /**
     * Read the responses that have arrived (collecting open-fetch answers).
     */
    int pollResponses()
    {
        return connection.poll(this::onResponse);
    }

    long lastNextOffset()
    {
        return lastNextOffset;
    }

    DirectBuffer fetched()
    {
        return fetched;
    }

    void send(final int length)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!connection.offer(request, 0, length))
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("could not send");
            }
            Thread.onSpinWait();
        }
    }

    private void await(final long correlationId)
    {
        awaited = correlationId;
        answered = false;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!answered)
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("no answer to request " + correlationId);
            }
            if (0 == connection.poll(this::onResponse))
            {
                Thread.onSpinWait();
            }
        }
    }

    private void onResponse(
        final int templateId, final DirectBuffer buffer, final int offset, final int blockLength, final int version,
        final int length)
    {
        if (ProduceResponseDecoder.TEMPLATE_ID == templateId)
        {
            produceResponse.wrap(buffer, offset, blockLength, version);
            if (produceResponse.correlationId() == awaited)
            {
                error = ErrorCode.get(produceResponse.errorCode());
                baseOffset = produceResponse.baseOffset();
                errorMessage = produceResponse.errorMessage();
                answered = true;
            }
        }
        else if (FetchResponseDecoder.TEMPLATE_ID == templateId)
        {
            fetchResponse.wrap(buffer, offset, blockLength, version);
            if (fetchResponse.correlationId() == openFetchCorrelationId)
            {
                final ErrorCode answerError = ErrorCode.get(fetchResponse.errorCode());
                final long fetchOffset = fetchResponse.fetchOffset();
                final long nextOffset = fetchResponse.nextOffset();
                fetchResponse.skipErrorMessage();
                openFetchAnswers.add(new FetchAnswer(answerError, fetchOffset, nextOffset,
                    fetchResponse.recordsLength()));
                return;
            }
            if (fetchResponse.correlationId() == awaited)
            {
                error = ErrorCode.get(fetchResponse.errorCode());
                lastNextOffset = fetchResponse.nextOffset();
                errorMessage = fetchResponse.errorMessage();
                fetchedLength = fetchResponse.recordsLength();
                fetched.checkLimit(Math.max(1, fetchedLength));
                fetchResponse.getRecords(fetched, 0, fetchedLength);
                answered = true;
            }
        }
    }

    public void close()
    {
        connection.close();
    }
}
