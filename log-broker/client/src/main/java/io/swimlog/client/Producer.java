package io.swimlog.client;

import io.swimlog.protocol.broker.ErrorCode;
import io.swimlog.protocol.broker.codecs.InitProducerIdRequestEncoder;
import io.swimlog.protocol.broker.codecs.InitProducerIdResponseDecoder;
import io.swimlog.protocol.broker.codecs.MessageHeaderEncoder;
import io.swimlog.protocol.broker.codecs.MetadataRequestEncoder;
import io.swimlog.protocol.broker.codecs.MetadataResponseDecoder;
import io.swimlog.protocol.broker.codecs.ProduceRequestEncoder;
import io.swimlog.protocol.broker.codecs.ProduceResponseDecoder;
import io.swimlog.protocol.record.RecordBatch;
import io.swimlog.protocol.record.RecordHeaders;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends records to a broker, asynchronously, in batches: records for a partition accumulate in a batch that is
 * sent when it is full ({@link ClientContext#batchSize}) or has waited {@link ClientContext#lingerMs}; up to
 * {@link ClientContext#maxInFlight} batches per partition await acknowledgement at once. With linger 0 (and acks
 * 1 or all) a record whose partition has a request slot free is sent at once by the calling thread; otherwise it
 * joins the partition's open batch, which the I/O thread sends when a slot frees up.
 * <p>
 * Idempotence (on by default): the producer takes a producer id from the broker and numbers each partition's
 * records; a batch resent after a timeout or a reconnection carries the same numbers, so the broker answers a
 * duplicate with its first offset instead of appending it twice.
 * <p>
 * Two ways to send:
 * <ul>
 *     <li>{@link #send(ProducerRecord, Callback)}: byte arrays, a future and a callback per record;</li>
 *     <li>{@link #offer}: keys and values from {@link DirectBuffer}s, copied straight into the batch; nothing is
 *     allocated per record; completion is reported per batch to {@link ClientContext#producerListener}.</li>
 * </ul>
 * Threading: thread safe. Records are appended (and, with linger 0, sent) on the caller's thread under a lock; an
 * I/O thread (an Agrona agent) sends the other batches, reads acknowledgements, retries, and runs callbacks and
 * the listener.
 */
public final class Producer implements AutoCloseable
{
    /**
     * {@link #offer} result: the buffer memory is full of unacknowledged batches; try again later.
     */
    public static final long BACK_PRESSURED = -2;

    private static final int PREFIX_BASE_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH +
        ProduceRequestEncoder.BLOCK_LENGTH + ProduceRequestEncoder.topicHeaderLength() +
        ProduceRequestEncoder.recordsHeaderLength();
    private static final int RECORD_OVERHEAD = 64;

    private final ClientContext ctx;
    private final BrokerConnection connection;
    private final RequestWaiter waiter;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, TopicState> topics = new HashMap<>();
    private final ArrayList<PartitionState> partitions = new ArrayList<>();
    private final Long2ObjectHashMap<ProducerBatch> inFlightByCorrelation = new Long2ObjectHashMap<>();
    private final ArrayDeque<ProducerBatch> freeBatches = new ArrayDeque<>();
    private final ProduceRequestEncoder produceRequest = new ProduceRequestEncoder();
    private final ProduceResponseDecoder produceResponse = new ProduceResponseDecoder();
    private final MetadataRequestEncoder metadataRequest = new MetadataRequestEncoder();
    private final MetadataResponseDecoder metadataResponse = new MetadataResponseDecoder();
    private final UnsafeBuffer keyWrapper = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valueWrapper = new UnsafeBuffer(0, 0);
    private final RecordHeaders headerScratch = new RecordHeaders();
    private final BrokerConnection.ResponseHandler responseHandler = this::onResponse;
    private final AgentRunner runner;
    private final long lingerNs;
    private final long requestTimeoutNs;
    private final long deliveryTimeoutNs;
    private final int maxBatches;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
    private int batchesAllocated;
    private long acknowledgedRecords;
    private long failedRecords;
    private long nextReconnectNs;
    private volatile boolean closed;

    private Producer(final ClientContext ctx)
    {
        this.ctx = ctx;
        this.connection = new BrokerConnection(ctx);
        this.waiter = new RequestWaiter(connection);
        this.waiter.otherResponses(responseHandler);
        this.lingerNs = TimeUnit.MILLISECONDS.toNanos(ctx.lingerMs());
        this.requestTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.requestTimeoutMs());
        this.deliveryTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.deliveryTimeoutMs());
        this.maxBatches = (int)Math.max(1, ctx.bufferMemory() / ctx.batchSize());
        try
        {
            if (ctx.idempotence())
            {
                initProducerId();
            }
        }
        catch (final RuntimeException ex)
        {
            connection.close();
            throw ex;
        }
        runner = new AgentRunner(
            ctx.newIdleStrategy(),
            Throwable::printStackTrace, null, new Sender());
        AgentRunner.startOnThread(runner);
    }

    /**
     * Connect to the broker at {@code ctx.bootstrap()}.
     *
     * @throws BrokerUnavailableException if it does not answer.
     */
    public static Producer create(final ClientContext ctx)
    {
        return new Producer(ctx);
    }

    private void initProducerId()
    {
        final long correlationId = connection.nextCorrelationId();
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + new InitProducerIdRequestEncoder()
            .wrapAndApplyHeader(connection.buffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .sessionId(connection.sessionId())
            .encodedLength();
        waiter.request(correlationId, length, InitProducerIdResponseDecoder.TEMPLATE_ID);
        final InitProducerIdResponseDecoder decoder = new InitProducerIdResponseDecoder()
            .wrap(waiter.response(), 0, waiter.blockLength(), waiter.version());
        final ErrorCode error = ErrorCode.get(decoder.errorCode());
        if (ErrorCode.NONE != error)
        {
            throw ClientException.of(error, decoder.errorMessage());
        }
        producerId = decoder.producerId();
        producerEpoch = decoder.producerEpoch();
    }

    /**
     * Send a record; returns at once (unless the buffer memory is full: then it waits up to
     * {@link ClientContext#maxBlockMs}).
     *
     * @return completes with where the record was written, or exceptionally with a {@link ClientException}.
     * @throws UnknownTopicException    if the topic or partition does not exist.
     * @throws RecordTooLargeException  if the record cannot fit a request.
     * @throws ClientTimeoutException   if no buffer memory freed up within max block.
     */
    public CompletableFuture<RecordMetadata> send(final ProducerRecord record)
    {
        return send(record, null);
    }

    /**
     * As {@link #send(ProducerRecord)}, and call {@code callback} on completion (on the I/O thread).
     */
    public CompletableFuture<RecordMetadata> send(final ProducerRecord record, final Callback callback)
    {
        final CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        final long timestamp = record.timestamp() >= 0 ? record.timestamp() : System.currentTimeMillis();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.maxBlockMs());
        lock.lock();
        try
        {
            final DirectBuffer key = wrap(keyWrapper, record.key());
            final DirectBuffer value = wrap(valueWrapper, record.value());
            final RecordHeaders headers = headers(record.headers());
            while (true)
            {
                final long result = append(record.topic(), record.partition(), timestamp,
                    key, 0, null == key ? -1 : record.key().length,
                    value, 0, null == value ? -1 : record.value().length,
                    headers, new Completion(future, callback, timestamp));
                if (BACK_PRESSURED != result)
                {
                    return future;
                }
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0)
                {
                    throw new ClientTimeoutException("no buffer memory freed up within " + ctx.maxBlockMs() +
                        " ms: the broker is not acknowledging fast enough");
                }
                changed.awaitNanos(remainingNs);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ClientException(ErrorCode.UNKNOWN, "interrupted while waiting for buffer memory", ex);
        }
        finally
        {
            lock.unlock();
        }
    }

    private static DirectBuffer wrap(final UnsafeBuffer wrapper, final byte[] bytes)
    {
        if (null == bytes)
        {
            return null;
        }
        if (0 == bytes.length)
        {
            wrapper.wrap(new byte[1], 0, 0);
            return wrapper;
        }
        wrapper.wrap(bytes);
        return wrapper;
    }

    private RecordHeaders headers(final List<Header> headers)
    {
        if (headers.isEmpty())
        {
            return null;
        }
        final RecordHeaders scratch = headerScratch.clear();
        for (final Header header : headers)
        {
            final byte[] key = header.key().getBytes(StandardCharsets.UTF_8);
            final byte[] value = header.value();
            scratch.add(new UnsafeBuffer(key), 0, key.length,
                null == value ? null : new UnsafeBuffer(0 == value.length ? new byte[1] : value), 0,
                null == value ? -1 : value.length);
        }
        return scratch;
    }

    /**
     * Send a record without allocating: the key, value and headers are copied into the partition's batch before
     * this returns, so the caller may reuse its buffers at once. Completion is reported per batch to
     * {@link ClientContext#producerListener}.
     *
     * @param topic       to send to.
     * @param partition   to send to, or -1 to choose (by key hash, or sticky per batch for a null key).
     * @param key         buffer, or null for a null key.
     * @param keyOffset   of the key.
     * @param keyLength   of the key.
     * @param value       buffer, or null for a null value.
     * @param valueOffset of the value.
     * @param valueLength of the value.
     * @param headers     of the record, or null.
     * @return the partition the record went to, or {@link #BACK_PRESSURED} if the buffer memory is full.
     * @throws UnknownTopicException   if the topic or partition does not exist.
     * @throws RecordTooLargeException if the record cannot fit a request.
     */
    public long offer(
        final String topic,
        final int partition,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final RecordHeaders headers)
    {
        lock.lock();
        try
        {
            return append(topic, partition, System.currentTimeMillis(), key, keyOffset, keyLength,
                value, valueOffset, valueLength, headers, null);
        }
        finally
        {
            lock.unlock();
        }
    }

    private long append(
        final String topic,
        final int partition,
        final long timestamp,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final RecordHeaders headers,
        final Completion completion)
    {
        if (closed)
        {
            throw new IllegalStateException("the producer is closed");
        }
        final TopicState topicState = topicState(topic);
        final int partitionIndex;
        if (partition >= 0)
        {
            if (partition >= topicState.partitions.length)
            {
                throw new UnknownTopicException("partition " + partition + " of topic '" + topic + "' does not exist");
            }
            partitionIndex = partition;
        }
        else if (null != key)
        {
            partitionIndex = Partitioner.partition(key, keyOffset, keyLength, topicState.partitions.length);
        }
        else
        {
            partitionIndex = topicState.stickyPartition;
        }

        final PartitionState state = topicState.partitions[partitionIndex];
        ProducerBatch batch = state.current;
        if (null == batch)
        {
            batch = newBatch(state, 0);
            if (null == batch)
            {
                return BACK_PRESSURED;
            }
        }
        if (!batch.builder.tryAppend(timestamp, key, keyOffset, keyLength, value, valueOffset, valueLength, headers))
        {
            final int recordBound = RECORD_OVERHEAD + Math.max(0, keyLength) + Math.max(0, valueLength) +
                headersLength(headers);
            final int maxRecord = connection.maxMessageLength() - state.prefixLength - RecordBatch.HEADER_LENGTH;
            if (recordBound > maxRecord)
            {
                throw new RecordTooLargeException("a record of about " + recordBound + " bytes is larger than the " +
                    maxRecord + " bytes a request can carry");
            }
            if (batch.builder.recordCount() > 0)
            {
                closeBatch(state);
            }
            else
            {
                releaseBatch(batch);
                state.current = null;
            }
            batch = newBatch(state, recordBound);
            if (null == batch)
            {
                return BACK_PRESSURED;
            }
            if (!batch.builder.tryAppend(timestamp, key, keyOffset, keyLength, value, valueOffset, valueLength,
                headers))
            {
                throw new RecordTooLargeException("a record does not fit an empty batch of " + batch.capacity +
                    " bytes");
            }
        }
        if (null != completion)
        {
            completion.relativeIndex = batch.builder.recordCount() - 1;
            batch.completions.add(completion);
        }
        if (batch.builder.sizeInBytes() >= ctx.batchSize())
        {
            closeBatch(state);
        }
        else if (0 == lingerNs && 0 != ctx.acks() && state.ready.isEmpty() &&
            state.inFlight.size() < ctx.maxInFlight())
        {
            // Linger 0 and a request slot free: send now, from this thread, rather than leave the record for the
            // I/O thread's next duty cycle (a thread that may be parked or waiting for a core). Without a free
            // slot the record joins the open batch, which the I/O thread sends when an acknowledgement frees one,
            // so batches still grow under load. (acks=0 completes on sending, and completions belong to the I/O
            // thread: it keeps the I/O thread's path.)
            closeBatch(state);
            sendNow(state);
        }

        return partitionIndex;
    }

    private void sendNow(final PartitionState state)
    {
        try
        {
            sendReady(state, System.nanoTime());
        }
        catch (final BrokerUnavailableException ex)
        {
            // The batch stays ready: the I/O thread meets the same error, reconnects and resends.
        }
    }

    private static int headersLength(final RecordHeaders headers)
    {
        return null == headers ? 0 : 16 * headers.count() + 4096;
    }

    private TopicState topicState(final String topic)
    {
        TopicState state = topics.get(topic);
        if (null == state)
        {
            final List<TopicDescription> described = Metadata.fetch(
                connection, waiter, metadataRequest, metadataResponse, topic);
            final TopicDescription description = described.get(0);
            state = new TopicState(topic, description.partitions().size());
            topics.put(topic, state);
        }

        return state;
    }

    /**
     * @return a batch for the partition with at least {@code minRecordBytes} of room, or null when the buffer
     * memory is spent.
     */
    private ProducerBatch newBatch(final PartitionState state, final int minRecordBytes)
    {
        final int capacity = Math.max(ctx.batchSize(), minRecordBytes + RecordBatch.HEADER_LENGTH);
        ProducerBatch batch;
        if (capacity > ctx.batchSize())
        {
            batch = new ProducerBatch(capacity + state.prefixLength, capacity, false);
        }
        else if (!freeBatches.isEmpty())
        {
            batch = freeBatches.poll();
        }
        else if (batchesAllocated < maxBatches)
        {
            batchesAllocated++;
            batch = new ProducerBatch(ctx.batchSize() + PREFIX_BASE_LENGTH + 256, ctx.batchSize(), true);
        }
        else
        {
            return null;
        }

        batch.partition = state;
        batch.createdNs = System.nanoTime();
        batch.attempts = 0;
        batch.builder.wrap(batch.buffer, state.prefixLength, batch.capacity);
        state.current = batch;

        return batch;
    }

    private void releaseBatch(final ProducerBatch batch)
    {
        batch.completions.clear();
        batch.partition = null;
        if (batch.pooled)
        {
            freeBatches.add(batch);
        }
        changed.signalAll();
    }

    private void closeBatch(final PartitionState state)
    {
        final ProducerBatch batch = state.current;
        state.current = null;
        batch.recordCount = batch.builder.recordCount();
        if (ctx.idempotence())
        {
            batch.baseSequence = state.nextSequence;
            batch.builder.producer(producerId, producerEpoch, state.nextSequence);
            state.nextSequence = increment(state.nextSequence, batch.recordCount);
        }
        batch.length = batch.builder.build();
        state.ready.add(batch);
        final TopicState topic = state.topic;
        if (topic.stickyPartition == state.partition)
        {
            topic.stickyPartition = (topic.stickyPartition + 1) % topic.partitions.length;
        }
    }

    private static int increment(final int sequence, final int increment)
    {
        return sequence > Integer.MAX_VALUE - increment ? increment - (Integer.MAX_VALUE - sequence) - 1 :
            sequence + increment;
    }

    /**
     * Send every batch now, whatever its linger, and wait until every record sent before this call is
     * acknowledged or has failed.
     *
     * @throws ClientTimeoutException if that takes longer than the delivery timeout.
     */
    public void flush()
    {
        final long deadlineNs = System.nanoTime() + deliveryTimeoutNs + requestTimeoutNs;
        lock.lock();
        try
        {
            for (final PartitionState state : partitions)
            {
                if (null != state.current && state.current.builder.recordCount() > 0)
                {
                    closeBatch(state);
                }
            }
            while (hasPendingBatches())
            {
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0)
                {
                    throw new ClientTimeoutException("flush did not complete within the delivery timeout");
                }
                changed.awaitNanos(Math.min(remainingNs, TimeUnit.MILLISECONDS.toNanos(10)));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ClientException(ErrorCode.UNKNOWN, "interrupted while flushing", ex);
        }
        finally
        {
            lock.unlock();
        }
    }

    private boolean hasPendingBatches()
    {
        for (final PartitionState state : partitions)
        {
            if (!state.ready.isEmpty() || !state.inFlight.isEmpty())
            {
                return true;
            }
        }

        return false;
    }

    /**
     * @return records acknowledged so far.
     */
    public long acknowledgedRecords()
    {
        lock.lock();
        try
        {
            return acknowledgedRecords;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return records that failed so far.
     */
    public long failedRecords()
    {
        lock.lock();
        try
        {
            return failedRecords;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return the number of partitions of {@code topic}.
     * @throws UnknownTopicException if it does not exist.
     */
    public int partitionCount(final String topic)
    {
        lock.lock();
        try
        {
            return topicState(topic).partitions.length;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Flush, then stop the I/O thread and disconnect.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            flush();
        }
        finally
        {
            closed = true;
            CloseHelper.close(runner);
            lock.lock();
            try
            {
                connection.close();
            }
            finally
            {
                lock.unlock();
            }
        }
    }

    // ---------------------------------------------------------------- I/O thread

    private int doWork()
    {
        if (!lock.tryLock())
        {
            return 0;
        }
        try
        {
            int workCount = connection.poll(responseHandler);
            final long nowNs = System.nanoTime();
            boolean lost = false;
            for (int i = 0, size = partitions.size(); i < size; i++)
            {
                final PartitionState state = partitions.get(i);
                final ProducerBatch current = state.current;
                if (null != current && current.builder.recordCount() > 0 && nowNs - current.createdNs >= lingerNs)
                {
                    closeBatch(state);
                }
                try
                {
                    workCount += sendReady(state, nowNs);
                }
                catch (final BrokerUnavailableException ex)
                {
                    lost = true;
                }
                final ProducerBatch head = state.inFlight.peekFirst();
                if (null != head && nowNs - head.sentNs > requestTimeoutNs)
                {
                    lost = true;
                }
                workCount += expire(state, nowNs);
            }
            if (lost && nowNs - nextReconnectNs >= 0)
            {
                workCount += reconnectAndResend(nowNs);
            }

            return workCount;
        }
        finally
        {
            lock.unlock();
        }
    }

    private int sendReady(final PartitionState state, final long nowNs)
    {
        int sent = 0;
        while (!state.ready.isEmpty() && state.inFlight.size() < ctx.maxInFlight())
        {
            final ProducerBatch batch = state.ready.peekFirst();
            if (!transmit(batch, nowNs))
            {
                break;
            }
            state.ready.pollFirst();
            sent++;
            if (0 == ctx.acks())
            {
                acknowledge(batch, -1);
            }
            else
            {
                state.inFlight.addLast(batch);
            }
        }

        return sent;
    }

    private boolean transmit(final ProducerBatch batch, final long nowNs)
    {
        final PartitionState state = batch.partition;
        final long correlationId = connection.nextCorrelationId();
        final ProduceRequestEncoder encoder = produceRequest.wrapAndApplyHeader(
            batch.buffer, 0, connection.headerEncoder())
            .correlationId(correlationId)
            .sessionId(connection.sessionId())
            .partition(state.partition)
            .acks(ctx.acks())
            .putTopic(state.topic.nameBytes, 0, state.topic.nameBytes.length);
        batch.buffer.putInt(encoder.limit(), batch.length, ByteOrder.LITTLE_ENDIAN);
        if (!connection.offer(batch.buffer, 0, state.prefixLength + batch.length))
        {
            return false;
        }
        batch.correlationId = correlationId;
        batch.sentNs = nowNs;
        batch.attempts++;
        if (0 != ctx.acks())
        {
            inFlightByCorrelation.put(correlationId, batch);
        }

        return true;
    }

    /**
     * The session is lost (broker restarted, timed us out, or went away): open a new one and resend every
     * unacknowledged batch, in sequence order per partition. The broker recognises the ones it appended already.
     */
    private int reconnectAndResend(final long nowNs)
    {
        nextReconnectNs = nowNs + TimeUnit.MILLISECONDS.toNanos(100);
        try
        {
            connection.reconnect();
        }
        catch (final ClientException ex)
        {
            return 0;
        }
        inFlightByCorrelation.clear();
        for (final PartitionState state : partitions)
        {
            while (!state.inFlight.isEmpty())
            {
                state.ready.addFirst(state.inFlight.pollLast());
            }
        }

        return 1;
    }

    private int expire(final PartitionState state, final long nowNs)
    {
        final ProducerBatch head = null != state.inFlight.peekFirst() ? state.inFlight.peekFirst() :
            state.ready.peekFirst();
        if (null != head && nowNs - head.createdNs > deliveryTimeoutNs)
        {
            failFrom(head, new ClientTimeoutException("a batch for " + state + " was not acknowledged within the " +
                "delivery timeout of " + ctx.deliveryTimeoutMs() + " ms"));
            return 1;
        }

        return 0;
    }

    private void onResponse(
        final int templateId,
        final DirectBuffer buffer,
        final int offset,
        final int blockLength,
        final int version,
        final int length)
    {
        if (ProduceResponseDecoder.TEMPLATE_ID != templateId)
        {
            return;
        }
        final ProduceResponseDecoder decoder = produceResponse.wrap(buffer, offset, blockLength, version);
        final ProducerBatch batch = inFlightByCorrelation.remove(decoder.correlationId());
        if (null == batch)
        {
            return;
        }
        final ErrorCode error = ErrorCode.get(decoder.errorCode());
        if (ErrorCode.NONE == error)
        {
            batch.partition.inFlight.remove(batch);
            acknowledge(batch, decoder.baseOffset());
            return;
        }

        final String message = decoder.errorMessage();
        if (ErrorCode.OUT_OF_ORDER_SEQUENCE == error && batch != batch.partition.inFlight.peekFirst())
        {
            // An earlier batch was lost; it will time out and everything after it is resent in order.
            return;
        }
        failFrom(batch, ClientException.of(error, "the broker refused a batch for " + batch.partition + ": " +
            message));
    }

    private void acknowledge(final ProducerBatch batch, final long baseOffset)
    {
        final PartitionState state = batch.partition;
        acknowledgedRecords += batch.recordCount;
        final ProducerListener listener = ctx.producerListener();
        if (null != listener)
        {
            listener.onAcknowledged(state.topic.name, state.partition, baseOffset, batch.recordCount);
        }
        for (int i = 0, size = batch.completions.size(); i < size; i++)
        {
            final Completion completion = batch.completions.get(i);
            completion.complete(new RecordMetadata(state.topic.name, state.partition,
                baseOffset < 0 ? -1 : baseOffset + completion.relativeIndex, completion.timestamp));
        }
        releaseBatch(batch);
    }

    /**
     * Fail a batch and, with idempotence, every later batch of its partition: their sequences follow the failed
     * one's, so the broker would refuse them as a gap. The partition's numbering restarts at the failed batch.
     */
    private void failFrom(final ProducerBatch failed, final ClientException error)
    {
        final PartitionState state = failed.partition;
        final List<ProducerBatch> doomed = new ArrayList<>();
        if (ctx.idempotence())
        {
            boolean found = false;
            for (final ProducerBatch batch : state.inFlight)
            {
                found |= batch == failed;
                if (found)
                {
                    doomed.add(batch);
                }
            }
            if (!found)
            {
                doomed.add(failed);
            }
            for (final ProducerBatch batch : state.ready)
            {
                if (batch != failed)
                {
                    doomed.add(batch);
                }
            }
            // The open batch is not numbered yet: it takes its sequence from the rewound counter when it closes.
            state.nextSequence = failed.baseSequence;
        }
        else
        {
            doomed.add(failed);
        }

        for (final ProducerBatch batch : doomed)
        {
            state.inFlight.remove(batch);
            state.ready.remove(batch);
            inFlightByCorrelation.remove(batch.correlationId);
            failedRecords += batch.recordCount;
            final ProducerListener listener = ctx.producerListener();
            if (null != listener)
            {
                listener.onError(state.topic.name, state.partition, batch.recordCount, error);
            }
            for (int i = 0, size = batch.completions.size(); i < size; i++)
            {
                batch.completions.get(i).fail(error);
            }
            releaseBatch(batch);
        }
    }

    private final class Sender implements Agent
    {
        public int doWork()
        {
            return Producer.this.doWork();
        }

        public String roleName()
        {
            return "swimlog-producer";
        }
    }

    private final class TopicState
    {
        final String name;
        final byte[] nameBytes;
        final PartitionState[] partitions;
        int stickyPartition;

        TopicState(final String name, final int partitionCount)
        {
            this.name = name;
            this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
            this.partitions = new PartitionState[partitionCount];
            for (int i = 0; i < partitionCount; i++)
            {
                partitions[i] = new PartitionState(this, i, PREFIX_BASE_LENGTH + nameBytes.length);
                Producer.this.partitions.add(partitions[i]);
            }
            this.stickyPartition = (int)(System.nanoTime() & 0x7FFF_FFFF) % partitionCount;
        }
    }

    private static final class PartitionState
    {
        final TopicState topic;
        final int partition;
        final int prefixLength;
        final ArrayDeque<ProducerBatch> ready = new ArrayDeque<>();
        final ArrayDeque<ProducerBatch> inFlight = new ArrayDeque<>();
        ProducerBatch current;
        int nextSequence;

        PartitionState(final TopicState topic, final int partition, final int prefixLength)
        {
            this.topic = topic;
            this.partition = partition;
            this.prefixLength = prefixLength;
        }

        public String toString()
        {
            return topic.name + "-" + partition;
        }
    }

    private static final class ProducerBatch
    {
        final UnsafeBuffer buffer;
        final int capacity;
        final boolean pooled;
        final io.swimlog.protocol.record.RecordBatchBuilder builder =
            new io.swimlog.protocol.record.RecordBatchBuilder();
        final ArrayList<Completion> completions = new ArrayList<>();
        PartitionState partition;
        long createdNs;
        long sentNs;
        long correlationId;
        int baseSequence;
        int recordCount;
        int length;
        int attempts;

        ProducerBatch(final int bufferLength, final int capacity, final boolean pooled)
        {
            this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                org.agrona.BitUtil.align(bufferLength, 64), 64));
            this.capacity = capacity;
            this.pooled = pooled;
        }
    }

    private static final class Completion
    {
        final CompletableFuture<RecordMetadata> future;
        final Callback callback;
        final long timestamp;
        int relativeIndex;

        Completion(final CompletableFuture<RecordMetadata> future, final Callback callback, final long timestamp)
        {
            this.future = future;
            this.callback = callback;
            this.timestamp = timestamp;
        }

        void complete(final RecordMetadata metadata)
        {
            if (null != callback)
            {
                callback.onCompletion(metadata, null);
            }
            future.complete(metadata);
        }

        void fail(final ClientException error)
        {
            if (null != callback)
            {
                callback.onCompletion(null, error);
            }
            future.completeExceptionally(error);
        }
    }
}
