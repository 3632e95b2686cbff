package io.swimlog.client;

import io.swimlog.protocol.broker.BrokerProtocol;
import io.swimlog.protocol.broker.ErrorCode;
import io.swimlog.protocol.broker.codecs.FetchCreditEncoder;
import io.swimlog.protocol.broker.codecs.FetchRequestEncoder;
import io.swimlog.protocol.broker.codecs.FetchResponseDecoder;
import io.swimlog.protocol.broker.codecs.ListOffsetsRequestEncoder;
import io.swimlog.protocol.broker.codecs.ListOffsetsResponseDecoder;
import io.swimlog.protocol.broker.codecs.MessageHeaderEncoder;
import io.swimlog.protocol.broker.codecs.MetadataRequestEncoder;
import io.swimlog.protocol.broker.codecs.MetadataResponseDecoder;
import io.swimlog.protocol.record.BatchError;
import io.swimlog.protocol.record.RecordBatch;
import io.swimlog.protocol.record.RecordBatchReader;
import io.swimlog.protocol.record.RecordBatchValidator;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reads records from partitions. {@link #assign} names the partitions; {@link #subscribe} assigns every partition
 * of the topics (consumer groups, which share partitions among consumers, come later). Each partition has a
 * position, the offset of the next record to return: it starts at the log start or end
 * ({@link ClientContext#fromBeginning}) unless set with a seek.
 * <p>
 * {@link #poll(Duration)} returns copies (byte arrays); {@link #poll(RecordHandler, int, long)} hands the
 * records over in place, allocating nothing. Batches are checked against their CRC-32C before they are read
 * ({@link ClientContext#checkCrcs}).
 * <p>
 * Fetching: one <em>open fetch</em> per partition, sent when the partition's position is known and nothing
 * fetched is left to read. The broker keeps it after answering and answers again, from the offset after what it
 * sent, whenever records are appended, so a record appended while this consumer is busy or descheduled is on its
 * way at once instead of waiting for the consumer's next fetch to reach the broker (a round trip and a broker
 * wake-up taken off every record's path). What it may send is bounded by a byte credit, the window
 * ({@link ClientContext#fetchMaxBytes}): the broker stops sending when it is used up, and this consumer hands
 * back what its application has consumed, in grants of at least half the window, so a consumer holds at most
 * about one window per partition and one that stops polling holds back only its own fetches, never producers
 * or other consumers. An open fetch ends with an empty answer when {@link ClientContext#fetchMaxWaitMs} passes
 * with nothing sent (then a new one is sent), when a seek moves the position (the new fetch replaces it at the
 * broker; answers still on their way are recognised by their correlation id and fetch offset and dropped), or
 * with the session. A broker without open fetches answers each fetch once, as a plain long poll.
 * <p>
 * Not thread safe: one thread polls, as with Kafka's consumer.
 */
public final class Consumer implements AutoCloseable
{
    private final ClientContext ctx;
    private final BrokerConnection connection;
    private final RequestWaiter waiter;
    private final Map<TopicPartition, FetchState> assigned = new LinkedHashMap<>();
    private final ArrayList<FetchState> states = new ArrayList<>();
    private final Long2ObjectHashMap<FetchState> fetchByCorrelation = new Long2ObjectHashMap<>();
    private final FetchRequestEncoder fetchRequest = new FetchRequestEncoder();
    private final FetchCreditEncoder fetchCredit = new FetchCreditEncoder();
    private final FetchResponseDecoder fetchResponse = new FetchResponseDecoder();
    private final ListOffsetsRequestEncoder listOffsetsRequest = new ListOffsetsRequestEncoder();
    private final ListOffsetsResponseDecoder listOffsetsResponse = new ListOffsetsResponseDecoder();
    private final MetadataRequestEncoder metadataRequest = new MetadataRequestEncoder();
    private final MetadataResponseDecoder metadataResponse = new MetadataResponseDecoder();
    private final RecordBatchValidator validator = new RecordBatchValidator();
    private final BrokerConnection.ResponseHandler responseHandler = this::onResponse;
    private final IdleStrategy idleStrategy;
    private final long requestTimeoutNs;
    private final int windowBytes;
    private final int grantThresholdBytes;
    private ClientException pendingError;
    private long sessionId;
    private int nextState;

    private Consumer(final ClientContext ctx)
    {
        this.ctx = ctx;
        this.connection = new BrokerConnection(ctx);
        this.waiter = new RequestWaiter(connection);
        this.waiter.otherResponses(responseHandler);
        this.requestTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.requestTimeoutMs());
        this.windowBytes = ctx.fetchMaxBytes();
        // Grants of half the window: a few a second at most, while the broker still has the other half to send.
        this.grantThresholdBytes = Math.max(1, windowBytes / 2);
        this.idleStrategy = ctx.newIdleStrategy();
        this.sessionId = connection.sessionId();
    }

    /**
     * Connect to the broker at {@code ctx.bootstrap()}.
     *
     * @throws BrokerUnavailableException if it does not answer.
     */
    public static Consumer create(final ClientContext ctx)
    {
        return new Consumer(ctx);
    }

    /**
     * Read exactly these partitions (replacing any earlier assignment).
     *
     * @throws UnknownTopicException if a topic or partition does not exist.
     */
    public void assign(final Collection<TopicPartition> partitions)
    {
        final Map<String, Integer> partitionCounts = new LinkedHashMap<>();
        for (final TopicPartition tp : partitions)
        {
            final int count = partitionCounts.computeIfAbsent(tp.topic(), this::partitionCount);
            if (tp.partition() < 0 || tp.partition() >= count)
            {
                throw new UnknownTopicException("partition " + tp.partition() + " of topic '" + tp.topic() +
                    "' does not exist");
            }
        }
        assigned.clear();
        states.clear();
        fetchByCorrelation.clear();
        for (final TopicPartition tp : partitions)
        {
            final FetchState state = new FetchState(tp);
            assigned.put(tp, state);
            states.add(state);
        }
    }

    /**
     * Read every partition of these topics.
     *
     * @throws UnknownTopicException if a topic does not exist.
     */
    public void subscribe(final Collection<String> topics)
    {
        final List<TopicPartition> partitions = new ArrayList<>();
        for (final String topic : topics)
        {
            final int count = partitionCount(topic);
            for (int i = 0; i < count; i++)
            {
                partitions.add(new TopicPartition(topic, i));
            }
        }
        assign(partitions);
    }

    private int partitionCount(final String topic)
    {
        return Metadata.fetch(connection, waiter, metadataRequest, metadataResponse, topic).get(0)
            .partitions().size();
    }

    public Set<TopicPartition> assignment()
    {
        return Set.copyOf(assigned.keySet());
    }

    /**
     * @return the offset of the next record {@code partition} will return (resolving it first if not yet known).
     */
    public long position(final TopicPartition partition)
    {
        final FetchState state = state(partition);
        resolvePosition(state);
        return state.position;
    }

    public void seek(final TopicPartition partition, final long offset)
    {
        if (offset < 0)
        {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        seek(state(partition), offset);
    }

    public void seekToBeginning(final Collection<TopicPartition> partitions)
    {
        for (final TopicPartition tp : partitions)
        {
            seek(state(tp), listOffset(tp, BrokerProtocol.EARLIEST_TIMESTAMP));
        }
    }

    public void seekToEnd(final Collection<TopicPartition> partitions)
    {
        for (final TopicPartition tp : partitions)
        {
            seek(state(tp), listOffset(tp, BrokerProtocol.LATEST_TIMESTAMP));
        }
    }

    /**
     * Move to the first record with a timestamp at or after {@code timestamp}, or to the end if there is none.
     */
    public void seekToTimestamp(final TopicPartition partition, final long timestamp)
    {
        final long offset = listOffset(partition, timestamp);
        seek(state(partition), offset >= 0 ? offset : listOffset(partition, BrokerProtocol.LATEST_TIMESTAMP));
    }

    /**
     * Move to {@code offset}, dropping what was fetched and the fetch in flight: its answers, still arriving, are
     * no longer awaited, and the next fetch replaces it at the broker.
     */
    private void seek(final FetchState state, final long offset)
    {
        state.seek(offset);
        forgetFetch(state);
    }

    private void forgetFetch(final FetchState state)
    {
        if (state.fetchCorrelationId >= 0)
        {
            fetchByCorrelation.remove(state.fetchCorrelationId);
            state.fetchCorrelationId = -1;
        }
    }

    private FetchState state(final TopicPartition partition)
    {
        final FetchState state = assigned.get(partition);
        if (null == state)
        {
            throw new IllegalStateException(partition + " is not assigned to this consumer");
        }
        return state;
    }

    private long listOffset(final TopicPartition partition, final long timestamp)
    {
        connection.ensureSession();
        final long correlationId = connection.nextCorrelationId();
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + listOffsetsRequest
            .wrapAndApplyHeader(connection.buffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .sessionId(connection.sessionId())
            .partition(partition.partition())
            .timestamp(timestamp)
            .topic(partition.topic())
            .encodedLength();
        waiter.request(correlationId, length, ListOffsetsResponseDecoder.TEMPLATE_ID);
        final ListOffsetsResponseDecoder decoder = listOffsetsResponse.wrap(
            waiter.response(), 0, waiter.blockLength(), waiter.version());
        final ErrorCode error = ErrorCode.get(decoder.errorCode());
        final long offset = decoder.resultOffset();
        final String message = decoder.errorMessage();
        if (ErrorCode.NONE != error)
        {
            throw ClientException.of(error, "listing offsets of " + partition + " failed: " + message);
        }

        return offset;
    }

    private void resolvePosition(final FetchState state)
    {
        if (state.position < 0)
        {
            seek(state, listOffset(state.partition,
                ctx.fromBeginning() ? BrokerProtocol.EARLIEST_TIMESTAMP : BrokerProtocol.LATEST_TIMESTAMP));
        }
    }

    /**
     * Fetch records, waiting up to {@code timeout} for some to arrive.
     *
     * @return up to {@link ClientContext#maxPollRecords} records, in offset order per partition; empty if none
     * arrived in time.
     */
    public List<ConsumerRecord> poll(final Duration timeout)
    {
        final List<ConsumerRecord> records = new ArrayList<>();
        poll((topic, partition, reader) -> records.add(copy(topic, partition, reader)), ctx.maxPollRecords(),
            timeout.toMillis());

        return records;
    }

    private static ConsumerRecord copy(final String topic, final int partition, final RecordBatchReader reader)
    {
        final DirectBuffer buffer = reader.buffer();
        final byte[] key = bytes(buffer, reader.keyOffset(), reader.keyLength());
        final byte[] value = bytes(buffer, reader.valueOffset(), reader.valueLength());
        final List<Header> headers = new ArrayList<>(reader.headerCount());
        while (reader.nextHeader())
        {
            final byte[] headerKey = bytes(buffer, reader.headerKeyOffset(), reader.headerKeyLength());
            headers.add(new Header(new String(headerKey, StandardCharsets.UTF_8),
                bytes(buffer, reader.headerValueOffset(), reader.headerValueLength())));
        }

        return new ConsumerRecord(topic, partition, reader.offset(), reader.timestamp(), key, value, headers);
    }

    private static byte[] bytes(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    /**
     * Hand up to {@code limit} records to {@code handler}, waiting up to {@code timeoutMs} for some to arrive.
     * Allocates nothing in steady state.
     *
     * @return records handed over.
     * @throws UnknownTopicException if a partition's topic was deleted.
     * @throws ClientException       for a corrupt batch or another broker error.
     */
    public int poll(final RecordHandler handler, final int limit, final long timeoutMs)
    {
        if (states.isEmpty())
        {
            throw new IllegalStateException("no partitions are assigned: call assign or subscribe first");
        }
        connection.ensureSession();
        forgetFetchesOfOldSessions();
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMs));
        for (int i = 0, size = states.size(); i < size; i++)
        {
            resolvePosition(states.get(i));
        }

        while (true)
        {
            throwPendingError();
            final int delivered = deliver(handler, limit);
            if (delivered > 0)
            {
                return delivered;
            }
            final long nowNs = System.nanoTime();
            sendFetches(nowNs);
            final int fragments = connection.poll(responseHandler);
            if (fragments == 0 && nowNs - deadlineNs >= 0)
            {
                throwPendingError();
                return 0;
            }
            idleStrategy.idle(fragments);
        }
    }

    private void throwPendingError()
    {
        if (null != pendingError)
        {
            final ClientException error = pendingError;
            pendingError = null;
            throw error;
        }
    }

    private int deliver(final RecordHandler handler, final int limit)
    {
        int delivered = 0;
        final int size = states.size();
        for (int n = 0; n < size && delivered < limit; n++)
        {
            final FetchState state = states.get(nextState);
            nextState = (nextState + 1) % size;
            while (delivered < limit && state.hasData())
            {
                final RecordBatchReader reader = state.reader;
                if (!state.inBatch)
                {
                    final int totalSize = RecordBatch.totalSize(state.data, state.readPosition);
                    if (ctx.checkCrcs())
                    {
                        final BatchError error = validator.validatePrefix(
                            state.data, state.readPosition, state.dataLength - state.readPosition);
                        if (BatchError.OK != error)
                        {
                            // Fetched again from the position by the next poll, which meets the error again.
                            state.clearData();
                            forgetFetch(state);
                            throw new ClientException(ErrorCode.INVALID_RECORD_BATCH, "a batch fetched from " +
                                state.partition + " at offset " + state.position + " is corrupt: " + error.reason());
                        }
                    }
                    reader.wrap(state.data, state.readPosition);
                    state.batchEnd = state.readPosition + totalSize;
                    state.inBatch = true;
                }
                if (reader.nextRecord())
                {
                    if (reader.offset() >= state.position)
                    {
                        state.position = reader.offset() + 1;
                        handler.onRecord(state.partition.topic(), state.partition.partition(), reader);
                        delivered++;
                    }
                }
                else
                {
                    state.inBatch = false;
                    state.ungrantedBytes += state.batchEnd - state.readPosition;
                    state.readPosition = state.batchEnd;
                    if (state.ungrantedBytes >= grantThresholdBytes)
                    {
                        grantCredit(state, System.nanoTime());
                    }
                }
            }
        }

        return delivered;
    }

    /**
     * Hand the bytes the application has consumed back to the open fetch as credit. Not sent when the request
     * stream pushes back: the next poll tries again.
     */
    private void grantCredit(final FetchState state, final long nowNs)
    {
        if (state.fetchCorrelationId < 0)
        {
            return;
        }
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + fetchCredit
            .wrapAndApplyHeader(connection.buffer(), 0, connection.headerEncoder())
            .sessionId(connection.sessionId())
            .correlationId(state.fetchCorrelationId)
            .creditBytes(state.ungrantedBytes)
            .encodedLength();
        if (connection.offer(connection.buffer(), 0, length))
        {
            state.ungrantedBytes = 0;
            state.lastHeardNs = nowNs;
        }
    }

    private void sendFetches(final long nowNs)
    {
        for (int i = 0, size = states.size(); i < size; i++)
        {
            final FetchState state = states.get(i);
            if (state.fetchCorrelationId >= 0 && nowNs - state.lastHeardNs > requestTimeoutNs + state.fetchWaitNs)
            {
                // Lost: the broker restarted or timed the session out. Start a new session and fetch again.
                connection.reconnect();
                forgetFetchesOfOldSessions();
            }
            if (state.fetchCorrelationId >= 0 && state.ungrantedBytes >= grantThresholdBytes)
            {
                grantCredit(state, nowNs);
            }
            if (state.fetchCorrelationId < 0 && !state.hasData() && state.position >= 0)
            {
                // An open fetch outlives this poll: it waits the configured time, not what is left of the poll's.
                final int waitMs = ctx.fetchMaxWaitMs();
                final long correlationId = connection.nextCorrelationId();
                final int length = MessageHeaderEncoder.ENCODED_LENGTH + fetchRequest
                    .wrapAndApplyHeader(connection.buffer(), 0, connection.headerEncoder())
                    .correlationId(correlationId)
                    .sessionId(connection.sessionId())
                    .partition(state.partition.partition())
                    .fetchOffset(state.position)
                    .maxBytes(ctx.fetchMaxBytes())
                    .maxWaitMs(waitMs)
                    .openCreditBytes(windowBytes)
                    .putTopic(state.topicBytes, 0, state.topicBytes.length)
                    .encodedLength();
                if (connection.offer(connection.buffer(), 0, length))
                {
                    state.fetchCorrelationId = correlationId;
                    state.nextFetchOffset = state.position;
                    state.ungrantedBytes = 0;
                    state.lastHeardNs = nowNs;
                    state.fetchWaitNs = TimeUnit.MILLISECONDS.toNanos(waitMs);
                    fetchByCorrelation.put(correlationId, state);
                }
            }
        }
    }

    /**
     * Fetches sent on a session the broker no longer has will never be answered: send them again.
     */
    private void forgetFetchesOfOldSessions()
    {
        if (connection.sessionId() != sessionId)
        {
            sessionId = connection.sessionId();
            fetchByCorrelation.clear();
            for (int i = 0, size = states.size(); i < size; i++)
            {
                states.get(i).fetchCorrelationId = -1;
            }
        }
    }

    private void onResponse(
        final int templateId,
        final DirectBuffer buffer,
        final int offset,
        final int blockLength,
        final int version,
        final int length)
    {
        if (FetchResponseDecoder.TEMPLATE_ID != templateId)
        {
            return;
        }
        final FetchResponseDecoder decoder = fetchResponse.wrap(buffer, offset, blockLength, version);
        final FetchState state = fetchByCorrelation.get(decoder.correlationId());
        if (null == state)
        {
            return;
        }
        final ErrorCode error = ErrorCode.get(decoder.errorCode());
        if (ErrorCode.NONE != error)
        {
            forgetFetch(state);
            final String message = decoder.errorMessage();
            if (ErrorCode.OFFSET_OUT_OF_RANGE == error && state.nextFetchOffset == state.position)
            {
                // Retention removed what we wanted, or we asked past the end: start again per the reset policy.
                state.position = -1;
                resolvePosition(state);
            }
            else if (ErrorCode.OFFSET_OUT_OF_RANGE != error || !state.hasData())
            {
                pendingError = ClientException.of(error, "fetching " + state.partition + " failed: " + message);
            }
            // else: records fetched before it are still to be read; the next fetch, from after them, decides.
            return;
        }

        // A broker without open fetches (version 0) answers each fetch once, from where it was asked.
        final boolean versioned = version >= 1 && blockLength >= FetchResponseDecoder.BLOCK_LENGTH;
        final long answerOffset = versioned ? decoder.fetchOffset() : state.nextFetchOffset;
        final long nextOffset = versioned ? decoder.nextOffset() : -1;
        decoder.skipErrorMessage();
        final int recordsLength = decoder.recordsLength();
        if (answerOffset != state.nextFetchOffset)
        {
            // Not the continuation of what was read: never expected; drop the fetch and fetch from the position.
            forgetFetch(state);
            return;
        }
        state.lastHeardNs = System.nanoTime();
        if (nextOffset < 0)
        {
            forgetFetch(state);
        }
        else
        {
            state.nextFetchOffset = nextOffset;
        }
        if (0 == recordsLength)
        {
            return;
        }
        state.append(decoder, recordsLength);
    }

    public void close()
    {
        connection.close();
    }

    private static final class FetchState
    {
        final TopicPartition partition;
        final byte[] topicBytes;
        final ExpandableDirectByteBuffer data = new ExpandableDirectByteBuffer(64 * 1024);
        final RecordBatchReader reader = new RecordBatchReader();
        long position = -1;
        long fetchCorrelationId = -1;
        long nextFetchOffset;
        long lastHeardNs;
        long fetchWaitNs;
        int ungrantedBytes;
        int dataLength;
        int readPosition;
        int batchEnd;
        boolean inBatch;

        FetchState(final TopicPartition partition)
        {
            this.partition = partition;
            this.topicBytes = partition.topic().getBytes(StandardCharsets.UTF_8);
        }

        boolean hasData()
        {
            return readPosition < dataLength;
        }

        void seek(final long offset)
        {
            position = offset;
            clearData();
        }

        void clearData()
        {
            dataLength = 0;
            readPosition = 0;
            inBatch = false;
        }

        /**
         * Add an answer's batches after those not yet read. Unread bytes move to the front only between batches
         * (the reader points into the one it is in) and only when the buffer would otherwise grow.
         */
        void append(final FetchResponseDecoder decoder, final int recordsLength)
        {
            if (!hasData())
            {
                clearData();
            }
            else if (!inBatch && readPosition > 0 && dataLength + recordsLength > data.capacity())
            {
                final int unread = dataLength - readPosition;
                data.putBytes(0, data, readPosition, unread);
                dataLength = unread;
                readPosition = 0;
            }
            data.checkLimit(dataLength + recordsLength);
            decoder.getRecords(data, dataLength, recordsLength);
            dataLength += recordsLength;
        }
    }
}
