package io.swimlog.broker;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.Header;
import io.swimlog.protocol.broker.BrokerProtocol;
import io.swimlog.protocol.broker.ErrorCode;
import io.swimlog.protocol.broker.codecs.AdminResponseEncoder;
import io.swimlog.protocol.broker.codecs.CloseSessionDecoder;
import io.swimlog.protocol.broker.codecs.ConnectRequestDecoder;
import io.swimlog.protocol.broker.codecs.ConnectResponseEncoder;
import io.swimlog.protocol.broker.codecs.CreateTopicRequestDecoder;
import io.swimlog.protocol.broker.codecs.DeleteTopicRequestDecoder;
import io.swimlog.protocol.broker.codecs.FetchCreditDecoder;
import io.swimlog.protocol.broker.codecs.FetchRequestDecoder;
import io.swimlog.protocol.broker.codecs.FetchResponseEncoder;
import io.swimlog.protocol.broker.codecs.InitProducerIdRequestDecoder;
import io.swimlog.protocol.broker.codecs.InitProducerIdResponseEncoder;
import io.swimlog.protocol.broker.codecs.KeepAliveDecoder;
import io.swimlog.protocol.broker.codecs.ListOffsetsRequestDecoder;
import io.swimlog.protocol.broker.codecs.ListOffsetsResponseEncoder;
import io.swimlog.protocol.broker.codecs.MembersRequestDecoder;
import io.swimlog.protocol.broker.codecs.MembersResponseEncoder;
import io.swimlog.protocol.broker.codecs.MessageHeaderDecoder;
import io.swimlog.protocol.broker.codecs.MessageHeaderEncoder;
import io.swimlog.protocol.broker.codecs.MetadataRequestDecoder;
import io.swimlog.protocol.broker.codecs.MetadataResponseEncoder;
import io.swimlog.protocol.broker.codecs.ProduceRequestDecoder;
import io.swimlog.protocol.broker.codecs.ProduceResponseEncoder;
import io.swimlog.protocol.record.ByteBufferView;
import io.swimlog.protocol.record.RecordBatch;
import io.swimlog.storage.InvalidBatchException;
import io.swimlog.storage.LogReadResult;
import io.swimlog.storage.OffsetOutOfRangeException;
import io.swimlog.storage.StorageException;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The broker's one protocol thread: reads requests from the node's endpoint (UDP, and IPC from clients of the
 * node's own media driver; a session answers on the medium its client named), keeps client sessions, appends
 * produced batches to partition logs and answers fetches from them.
 * <p>
 * Duty cycle ({@link #doWork()}): read the clock once; poll requests; make this cycle's appends durable once per
 * partition (group commit) and only then acknowledge them; answer pending fetches whose data arrived or whose
 * wait ran out, open fetches again as long as they have credit; drain the backlogs of sessions that were
 * back-pressured; finish connecting sessions; every 100 ms time out idle sessions.
 * <p>
 * Invariants: a produce is acknowledged only after its append and the flush policy's commit; a client that is slow
 * to read holds back only its own responses ({@link ClientSession}) and is sent no more than its open fetches'
 * credit (and one batch); a session has at most one open fetch per partition (a new fetch replaces it); bad
 * input (a malformed message, an unknown template, a truncated frame) is dropped and counted, a bad request is
 * answered with an error code, and neither stops the conductor.
 * <p>
 * Threading: everything here runs on the conductor thread; nothing is shared but the counters.
 */
final class BrokerConductor implements Agent
{
    private static final int FRAGMENT_LIMIT = 64;
    private static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long RETENTION_INTERVAL_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int MAX_PENDING_FETCHES_PER_SESSION = 1024;
    private static final int MAX_PARTITIONS = 10_000;
    private static final byte[] NO_ERROR_MESSAGE = new byte[0];
    private static final int FETCH_PREFIX_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH +
        FetchResponseEncoder.BLOCK_LENGTH + FetchResponseEncoder.errorMessageHeaderLength() +
        FetchResponseEncoder.recordsHeaderLength();
    /**
     * A version 0 fetch request's fixed fields, which end where openCreditBytes begins: clients built before open
     * fetches send it.
     */
    private static final int FETCH_REQUEST_V0_BLOCK_LENGTH = FetchRequestDecoder.openCreditBytesEncodingOffset();
    /**
     * Outcomes of {@link #trySendFetch}: pushed back (keep the fetch, try again), answered (with data or empty),
     * or ended by an error answer or a session that is gone.
     */
    private static final int FETCH_PUSHED_BACK = 0;
    private static final int FETCH_ANSWERED = 1;
    private static final int FETCH_ENDED = 2;

    private final BrokerContext ctx;
    private final Aeron aeron;
    private final Subscription subscription;
    private final BrokerCounters counters;
    private final MetadataStore metadataStore;
    private final MemberDirectory memberDirectory;
    private final Subscription ipcSubscription;
    private final FragmentAssembler assembler;
    private final FragmentAssembler ipcAssembler;
    private final TopicTable topics = new TopicTable();
    private final File logsDir;

    private final Long2ObjectHashMap<ClientSession> sessionById = new Long2ObjectHashMap<>();
    private final ArrayList<ClientSession> sessions = new ArrayList<>();
    private final ArrayList<ClientSession> connecting = new ArrayList<>();
    private final ArrayList<PendingFetch> pendingFetches = new ArrayList<>();
    private final ArrayDeque<PendingFetch> fetchPool = new ArrayDeque<>();
    private final ArrayList<Partition> dirtyPartitions = new ArrayList<>();
    private final PendingAcks pendingAcks = new PendingAcks();

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ConnectRequestDecoder connectRequest = new ConnectRequestDecoder();
    private final KeepAliveDecoder keepAlive = new KeepAliveDecoder();
    private final CloseSessionDecoder closeSession = new CloseSessionDecoder();
    private final MetadataRequestDecoder metadataRequest = new MetadataRequestDecoder();
    private final CreateTopicRequestDecoder createTopicRequest = new CreateTopicRequestDecoder();
    private final DeleteTopicRequestDecoder deleteTopicRequest = new DeleteTopicRequestDecoder();
    private final ProduceRequestDecoder produceRequest = new ProduceRequestDecoder();
    private final FetchRequestDecoder fetchRequest = new FetchRequestDecoder();
    private final ListOffsetsRequestDecoder listOffsetsRequest = new ListOffsetsRequestDecoder();
    private final InitProducerIdRequestDecoder initProducerIdRequest = new InitProducerIdRequestDecoder();
    private final MembersRequestDecoder membersRequest = new MembersRequestDecoder();

    private final ConnectResponseEncoder connectResponse = new ConnectResponseEncoder();
    private final MetadataResponseEncoder metadataResponse = new MetadataResponseEncoder();
    private final AdminResponseEncoder adminResponse = new AdminResponseEncoder();
    private final ProduceResponseEncoder produceResponse = new ProduceResponseEncoder();
    private final FetchResponseEncoder fetchResponse = new FetchResponseEncoder();
    private final ListOffsetsResponseEncoder listOffsetsResponse = new ListOffsetsResponseEncoder();
    private final InitProducerIdResponseEncoder initProducerIdResponse = new InitProducerIdResponseEncoder();
    private final MembersResponseEncoder membersResponse = new MembersResponseEncoder();

    private final UnsafeBuffer sendBuffer;
    private final UnsafeBuffer topicView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer recordsView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer copyBuffer;
    private final BufferClaim bufferClaim = new BufferClaim();
    private final ByteBufferView byteBufferView = new ByteBufferView();
    private final LogReadResult readResult = new LogReadResult();
    private final RecordBatch batch = new RecordBatch();
    private final FetchCreditDecoder fetchCredit = new FetchCreditDecoder();
    private int answeredBytes;
    private long answeredNextOffset;

    private long nowNs;
    private long nextHousekeepingNs;
    private long nextRetentionNs;
    private long nextSessionId;

    BrokerConductor(
        final BrokerContext ctx,
        final Aeron aeron,
        final Subscription subscription,
        final Subscription ipcSubscription,
        final BrokerCounters counters,
        final MetadataStore metadataStore,
        final MemberDirectory memberDirectory)
    {
        this.ctx = ctx;
        this.aeron = aeron;
        this.subscription = subscription;
        this.ipcSubscription = ipcSubscription;
        this.counters = counters;
        this.metadataStore = metadataStore;
        this.memberDirectory = memberDirectory;
        this.logsDir = new File(ctx.dataDir(), "logs");
        this.assembler = new FragmentAssembler(this::onFragment, 64 * 1024, true);
        this.ipcAssembler = new FragmentAssembler(this::onFragment, 64 * 1024, true);
        this.sendBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(ctx.maxMessageLength(), 64));
        this.copyBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(ctx.maxMessageLength(), 64));
        this.nextSessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2);
        openTopics();
    }

    private void openTopics()
    {
        if (!logsDir.isDirectory() && !logsDir.mkdirs() && !logsDir.isDirectory())
        {
            throw new IllegalStateException("cannot create " + logsDir);
        }
        try
        {
            for (final TopicMetadata topic : metadataStore.topics())
            {
                topics.add(topic, openPartitions(topic));
            }
        }
        catch (final RuntimeException ex)
        {
            closePartitions();
            throw ex;
        }
    }

    private Partition[] openPartitions(final TopicMetadata topic)
    {
        final Partition[] partitions = new Partition[topic.partitions()];
        try
        {
            for (int i = 0; i < partitions.length; i++)
            {
                partitions[i] = new Partition(topic.name(), i, partitionDir(topic.name(), i), ctx);
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.closeAll(partitions);
            throw ex;
        }

        return partitions;
    }

    private File partitionDir(final String topic, final int partition)
    {
        return new File(logsDir, topic + "-" + partition);
    }

    public String roleName()
    {
        return "swimlog-broker-" + ctx.nodeId();
    }

    public int doWork()
    {
        nowNs = ctx.nanoClock().nanoTime();
        int workCount = subscription.poll(assembler, FRAGMENT_LIMIT);
        workCount += ipcSubscription.poll(ipcAssembler, FRAGMENT_LIMIT);
        workCount += commitAndAcknowledge();
        workCount += servePendingFetches();
        workCount += drainBacklogs();
        workCount += advanceConnecting();
        if (nowNs >= nextHousekeepingNs)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            workCount += timeOutSessions();
        }
        if (nowNs >= nextRetentionNs)
        {
            nextRetentionNs = nowNs + RETENTION_INTERVAL_NS;
            workCount += applyRetention();
        }

        return workCount;
    }

    public void onClose()
    {
        for (final ClientSession session : sessions)
        {
            CloseHelper.quietClose(session);
        }
        sessions.clear();
        sessionById.clear();
        closePartitions();
    }

    private void closePartitions()
    {
        for (int i = 0; i < topics.size(); i++)
        {
            for (final Partition partition : topics.partitionsAt(i))
            {
                try
                {
                    partition.log().flush();
                }
                catch (final RuntimeException ex)
                {
                    ctx.errorHandler().onError(ex);
                }
                CloseHelper.close(ctx.errorHandler(), partition);
            }
        }
    }

    /**
     * Delete segments past the logs' retention (by bytes and by time, as the storage settings say). Runs every
     * 30 s: a segment is the unit of deletion, so finer checks would find nothing more to do.
     */
    private int applyRetention()
    {
        int deleted = 0;
        for (int i = 0; i < topics.size(); i++)
        {
            for (final Partition partition : topics.partitionsAt(i))
            {
                try
                {
                    deleted += partition.log().deleteOldSegments();
                }
                catch (final RuntimeException ex)
                {
                    counters.errors().incrementRelease();
                    ctx.errorHandler().onError(ex);
                }
            }
        }

        return deleted;
    }

    int sessionCount()
    {
        return sessions.size();
    }

    // ---------------------------------------------------------------- requests

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            counters.malformedMessages().incrementRelease();
            return;
        }
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int end = offset + length;
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID || bodyOffset + blockLength > end)
        {
            counters.malformedMessages().incrementRelease();
            return;
        }
        counters.requests().incrementRelease();

        try
        {
            final boolean wellFormed;
            switch (templateId)
            {
                case ProduceRequestDecoder.TEMPLATE_ID:
                    wellFormed = blockLength >= ProduceRequestDecoder.BLOCK_LENGTH &&
                        onProduce(buffer, bodyOffset, blockLength, version, end);
                    break;

                case FetchRequestDecoder.TEMPLATE_ID:
                    wellFormed = blockLength >= FETCH_REQUEST_V0_BLOCK_LENGTH &&
                        onFetch(buffer, bodyOffset, blockLength, version, end);
                    break;

                case FetchCreditDecoder.TEMPLATE_ID:
                    wellFormed = blockLength >= FetchCreditDecoder.BLOCK_LENGTH &&
                        onFetchCredit(buffer, bodyOffset, blockLength, version);
                    break;

                case KeepAliveDecoder.TEMPLATE_ID:
                    wellFormed = blockLength >= KeepAliveDecoder.BLOCK_LENGTH &&
                        onKeepAlive(buffer, bodyOffset, blockLength, version);
                    break;

                case ConnectRequestDecoder.TEMPLATE_ID:
                    wellFormed = blockLength >= ConnectRequestDecoder.BLOCK_LENGTH &&
                        onConnect(buffer, bodyOffset, blockLength, version, end);
                    break;

                case CloseSessionDecoder.TEMPLATE_ID:
                    wellFormed = blockLength >= CloseSessionDecoder.BLOCK_LENGTH &&
                        onCloseSession(buffer, bodyOffset, blockLength, version);
                    break;

                case MetadataRequestDecoder.TEMPLATE_ID:
                    wellFormed = blockLength >= MetadataRequestDecoder.BLOCK_LENGTH &&
                        onMetadata(buffer, bodyOffset, blockLength, version, end);
                    break;

                case CreateTopicRequestDecoder.TEMPLATE_ID:
                    wellFormed = blockLength >= CreateTopicRequestDecoder.BLOCK_LENGTH &&
                        onCreateTopic(buffer, bodyOffset, blockLength, version, end);
                    break;

                case DeleteTopicRequestDecoder.TEMPLATE_ID:
                    wellFormed = blockLength >= DeleteTopicRequestDecoder.BLOCK_LENGTH &&
                        onDeleteTopic(buffer, bodyOffset, blockLength, version, end);
                    break;

                case ListOffsetsRequestDecoder.TEMPLATE_ID:
                    wellFormed = blockLength >= ListOffsetsRequestDecoder.BLOCK_LENGTH &&
                        onListOffsets(buffer, bodyOffset, blockLength, version, end);
                    break;

                case InitProducerIdRequestDecoder.TEMPLATE_ID:
                    wellFormed = blockLength >= InitProducerIdRequestDecoder.BLOCK_LENGTH &&
                        onInitProducerId(buffer, bodyOffset, blockLength, version);
                    break;

                case MembersRequestDecoder.TEMPLATE_ID:
                    wellFormed = blockLength >= MembersRequestDecoder.BLOCK_LENGTH &&
                        onMembers(buffer, bodyOffset, blockLength, version);
                    break;

                default:
                    wellFormed = false;
                    break;
            }

            if (!wellFormed)
            {
                counters.malformedMessages().incrementRelease();
            }
        }
        catch (final RuntimeException ex)
        {
            counters.errors().incrementRelease();
            ctx.errorHandler().onError(ex);
        }
    }

    /**
     * @return true if a variable-length field with a {@code headerLength}-byte length prefix at {@code limit}
     * lies wholly before {@code end}. Checked before decoding it: SBE decoders trust lengths.
     */
    private static boolean varFieldFits(
        final DirectBuffer buffer, final int limit, final int headerLength, final int end)
    {
        if (limit + headerLength > end)
        {
            return false;
        }
        final long length = 2 == headerLength ?
            (buffer.getShort(limit, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF) :
            (buffer.getInt(limit, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL);

        return limit + headerLength + length <= end;
    }

    private ClientSession openSession(final long sessionId)
    {
        final ClientSession session = sessionById.get(sessionId);
        if (null == session || ClientSession.State.OPEN != session.state())
        {
            counters.unknownSessionMessages().incrementRelease();
            return null;
        }
        session.touch(nowNs);

        return session;
    }

    private boolean onConnect(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version, final int end)
    {
        final ConnectRequestDecoder decoder = connectRequest.wrap(buffer, offset, blockLength, version);
        final long correlationId = decoder.correlationId();
        final int streamId = decoder.responseStreamId();
        if (!varFieldFits(buffer, decoder.limit(), ConnectRequestDecoder.responseChannelHeaderLength(), end))
        {
            return false;
        }
        final String channel = decoder.responseChannel();
        if (!varFieldFits(buffer, decoder.limit(), ConnectRequestDecoder.clientNameHeaderLength(), end))
        {
            return false;
        }
        decoder.skipClientName();

        final ChannelUri uri;
        try
        {
            uri = ChannelUri.parse(channel);
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
        final boolean overUdp = "udp".equals(uri.media()) && null != uri.get("endpoint");
        // Over IPC a client answers on a stream of its own, never on one of the request streams below the first.
        final boolean overIpc = "ipc".equals(uri.media()) && streamId >= BrokerProtocol.FIRST_IPC_RESPONSE_STREAM_ID;
        if (!(overUdp || overIpc) || channel.length() > 1024)
        {
            return false;
        }
        if (!uri.containsKey("mtu"))
        {
            uri.put("mtu", Integer.toString(ctx.mtu()));
        }
        if (!uri.containsKey("term-length"))
        {
            uri.put("term-length", Integer.toString(ctx.termLength()));
        }

        if (sessions.size() >= ctx.maxSessions())
        {
            counters.refusedConnects().incrementRelease();
            return true;
        }

        final long registrationId = aeron.asyncAddExclusivePublication(uri.toString(), streamId);
        final ClientSession session = new ClientSession(
            nextSessionId++, correlationId, channel, streamId, registrationId, nowNs, nowNs + CONNECT_TIMEOUT_NS);
        if (BrokerProtocol.PROTOCOL_VERSION != decoder.protocolVersion())
        {
            session.refuse(ErrorCode.UNSUPPORTED_VERSION, "protocol version " + decoder.protocolVersion() +
                " is not supported; this broker speaks version " + BrokerProtocol.PROTOCOL_VERSION);
        }
        sessionById.put(session.sessionId(), session);
        sessions.add(session);
        connecting.add(session);

        return true;
    }

    private int advanceConnecting()
    {
        int workCount = 0;
        for (int i = connecting.size() - 1; i >= 0; i--)
        {
            final ClientSession session = connecting.get(i);
            if (ClientSession.State.AWAITING_PUBLICATION == session.state())
            {
                try
                {
                    final ExclusivePublication publication = aeron.getExclusivePublication(session.registrationId());
                    if (null != publication)
                    {
                        session.publication(publication);
                        session.state(ClientSession.State.AWAITING_CONNECTION);
                        workCount++;
                    }
                }
                catch (final RegistrationException ex)
                {
                    ctx.errorHandler().onError(ex);
                    session.state(ClientSession.State.CLOSED);
                }
            }

            if (ClientSession.State.AWAITING_CONNECTION == session.state() && session.publication().isConnected())
            {
                session.state(ClientSession.State.OPEN);
                sendConnectResponse(session);
                connecting.remove(i);
                counters.sessionsOpened().incrementRelease();
                workCount++;
            }
            else if (ClientSession.State.CLOSED == session.state() || nowNs >= session.connectDeadlineNs())
            {
                connecting.remove(i);
                removeSession(session);
                workCount++;
            }
        }

        return workCount;
    }

    private void sendConnectResponse(final ClientSession session)
    {
        final ErrorCode error = session.refusal();
        final ConnectResponseEncoder encoder = connectResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(session.connectCorrelationId())
            .sessionId(ErrorCode.NONE == error ? session.sessionId() : -1)
            .errorCode(error.code())
            .maxMessageLength(ctx.maxMessageLength())
            .sessionTimeoutMs(ctx.sessionTimeoutMs())
            .brokerId(ctx.nodeId())
            .errorMessage(ErrorCode.NONE == error ? "" : session.refusalMessage());
        session.send(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), counters);
        if (ErrorCode.NONE != error)
        {
            // Refused: the response is out, the session ends when its backlog (if any) is abandoned.
            session.state(ClientSession.State.CLOSED);
        }
    }

    private boolean onKeepAlive(final DirectBuffer buffer, final int offset, final int blockLength, final int version)
    {
        keepAlive.wrap(buffer, offset, blockLength, version);
        openSession(keepAlive.sessionId());

        return true;
    }

    private boolean onCloseSession(final DirectBuffer buffer, final int offset, final int blockLength, final int version)
    {
        closeSession.wrap(buffer, offset, blockLength, version);
        final ClientSession session = sessionById.get(closeSession.sessionId());
        if (null != session)
        {
            session.state(ClientSession.State.CLOSED);
            if (!connecting.contains(session))
            {
                removeSession(session);
            }
        }

        return true;
    }

    private boolean onMetadata(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version, final int end)
    {
        final MetadataRequestDecoder decoder = metadataRequest.wrap(buffer, offset, blockLength, version);
        final long correlationId = decoder.correlationId();
        final long sessionId = decoder.sessionId();
        if (!varFieldFits(buffer, decoder.limit(), MetadataRequestDecoder.topicHeaderLength(), end))
        {
            return false;
        }
        final String topic = decoder.topic();
        final ClientSession session = openSession(sessionId);
        if (null == session)
        {
            return true;
        }

        final List<TopicMetadata> selected;
        ErrorCode error = ErrorCode.NONE;
        String message = "";
        if (topic.isEmpty())
        {
            selected = topics.topics();
        }
        else if (null != topics.metadata(topic))
        {
            selected = List.of(topics.metadata(topic));
        }
        else
        {
            selected = List.of();
            error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            message = "topic '" + topic + "' does not exist";
        }

        final MetadataResponseEncoder encoder = metadataResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(error.code());
        encoder.brokersCount(1).next().brokerId(ctx.nodeId()).endpoint(ctx.bind());
        final MetadataResponseEncoder.TopicsEncoder topicsEncoder = encoder.topicsCount(selected.size());
        for (final TopicMetadata metadata : selected)
        {
            final Partition[] partitions = topics.partitions(metadata.name());
            topicsEncoder.next().replicationFactor((short)metadata.replicationFactor());
            final MetadataResponseEncoder.TopicsEncoder.PartitionsEncoder partitionsEncoder =
                topicsEncoder.partitionsCount(partitions.length);
            for (final Partition partition : partitions)
            {
                partitionsEncoder.next()
                    .partition(partition.index())
                    .leaderEpoch(Partition.LEADER_EPOCH)
                    .logStartOffset(partition.log().logStartOffset())
                    .highWatermark(partition.log().logEndOffset())
                    .leader(ctx.nodeId());
            }
            topicsEncoder.name(metadata.name());
        }
        encoder.errorMessage(message);
        if (ErrorCode.NONE != error)
        {
            counters.errorResponses().incrementRelease();
        }
        session.send(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), counters);

        return true;
    }

    private boolean onCreateTopic(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version, final int end)
    {
        final CreateTopicRequestDecoder decoder = createTopicRequest.wrap(buffer, offset, blockLength, version);
        final long correlationId = decoder.correlationId();
        final int partitionCount = decoder.partitions();
        final int replicationFactor = decoder.replicationFactor();
        final long sessionId = decoder.sessionId();
        if (!varFieldFits(buffer, decoder.limit(), CreateTopicRequestDecoder.topicHeaderLength(), end))
        {
            return false;
        }
        final String topic = decoder.topic();
        final ClientSession session = openSession(sessionId);
        if (null == session)
        {
            return true;
        }

        final String invalidName = BrokerProtocol.validateTopicName(topic);
        if (null != invalidName)
        {
            sendAdminResponse(session, correlationId, ErrorCode.INVALID_TOPIC, invalidName);
        }
        else if (partitionCount < 1 || partitionCount > MAX_PARTITIONS)
        {
            sendAdminResponse(session, correlationId, ErrorCode.INVALID_TOPIC,
                "a topic needs between 1 and " + MAX_PARTITIONS + " partitions, not " + partitionCount);
        }
        else if (replicationFactor != 1)
        {
            sendAdminResponse(session, correlationId, ErrorCode.INVALID_TOPIC,
                "replication factor " + replicationFactor + " is not possible: this cluster has 1 broker");
        }
        else if (null != topics.metadata(topic))
        {
            sendAdminResponse(session, correlationId, ErrorCode.TOPIC_ALREADY_EXISTS,
                "topic '" + topic + "' already exists");
        }
        else
        {
            final TopicMetadata metadata = new TopicMetadata(topic, partitionCount, replicationFactor);
            Partition[] partitions = null;
            try
            {
                for (int i = 0; i < partitionCount; i++)
                {
                    // Left behind by a crash during an earlier delete: a new topic must start empty.
                    IoUtil.delete(partitionDir(topic, i), true);
                }
                partitions = openPartitions(metadata);
                metadataStore.createTopic(metadata);
                topics.add(metadata, partitions);
                sendAdminResponse(session, correlationId, ErrorCode.NONE, "");
            }
            catch (final RuntimeException ex)
            {
                if (null != partitions)
                {
                    CloseHelper.closeAll(partitions);
                    deletePartitionDirs(topic, partitionCount);
                }
                ctx.errorHandler().onError(ex);
                sendAdminResponse(session, correlationId, ErrorCode.STORAGE_ERROR,
                    "cannot create topic '" + topic + "': " + ex.getMessage());
            }
        }

        return true;
    }

    private boolean onDeleteTopic(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version, final int end)
    {
        final DeleteTopicRequestDecoder decoder = deleteTopicRequest.wrap(buffer, offset, blockLength, version);
        final long correlationId = decoder.correlationId();
        final long sessionId = decoder.sessionId();
        if (!varFieldFits(buffer, decoder.limit(), DeleteTopicRequestDecoder.topicHeaderLength(), end))
        {
            return false;
        }
        final String topic = decoder.topic();
        final ClientSession session = openSession(sessionId);
        if (null == session)
        {
            return true;
        }

        if (null == topics.metadata(topic))
        {
            sendAdminResponse(session, correlationId, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                "topic '" + topic + "' does not exist");
            return true;
        }

        try
        {
            metadataStore.deleteTopic(topic);
        }
        catch (final RuntimeException ex)
        {
            ctx.errorHandler().onError(ex);
            sendAdminResponse(session, correlationId, ErrorCode.STORAGE_ERROR,
                "cannot delete topic '" + topic + "': " + ex.getMessage());
            return true;
        }

        final Partition[] partitions = topics.remove(topic);
        for (final Partition partition : partitions)
        {
            partition.markDeleted();
            CloseHelper.close(ctx.errorHandler(), partition);
        }
        deletePartitionDirs(topic, partitions.length);
        sendAdminResponse(session, correlationId, ErrorCode.NONE, "");

        return true;
    }

    private void deletePartitionDirs(final String topic, final int partitionCount)
    {
        for (int i = 0; i < partitionCount; i++)
        {
            IoUtil.delete(partitionDir(topic, i), true);
        }
    }

    private void sendAdminResponse(
        final ClientSession session, final long correlationId, final ErrorCode error, final String message)
    {
        if (ErrorCode.NONE != error)
        {
            counters.errorResponses().incrementRelease();
        }
        final AdminResponseEncoder encoder = adminResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(error.code())
            .errorMessage(message);
        session.send(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), counters);
    }

    private boolean onProduce(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version, final int end)
    {
        final ProduceRequestDecoder decoder = produceRequest.wrap(buffer, offset, blockLength, version);
        final long correlationId = decoder.correlationId();
        final long sessionId = decoder.sessionId();
        final int partitionIndex = decoder.partition();
        final byte acks = decoder.acks();
        if (!varFieldFits(buffer, decoder.limit(), ProduceRequestDecoder.topicHeaderLength(), end))
        {
            return false;
        }
        decoder.wrapTopic(topicView);
        if (!varFieldFits(buffer, decoder.limit(), ProduceRequestDecoder.recordsHeaderLength(), end))
        {
            return false;
        }
        decoder.wrapRecords(recordsView);

        final ClientSession session = openSession(sessionId);
        if (null == session)
        {
            return true;
        }

        final Partition partition = topics.partition(topicView, 0, topicView.capacity(), partitionIndex);
        if (null == partition)
        {
            refuseProduce(session, correlationId, partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
            return true;
        }
        if (BrokerProtocol.ACKS_NONE != acks && BrokerProtocol.ACKS_LEADER != acks && BrokerProtocol.ACKS_ALL != acks)
        {
            refuseProduce(session, correlationId, partitionIndex, ErrorCode.INVALID_ACKS, null);
            return true;
        }

        final int length = recordsView.capacity();
        if (length > ctx.maxBatchBytes())
        {
            refuseProduce(session, correlationId, partitionIndex, ErrorCode.MESSAGE_TOO_LARGE,
                "a batch of " + length + " bytes is larger than the maximum of " + ctx.maxBatchBytes());
            return true;
        }
        if (length < RecordBatch.HEADER_LENGTH)
        {
            refuseProduce(session, correlationId, partitionIndex, ErrorCode.INVALID_RECORD_BATCH,
                "a batch of " + length + " bytes is shorter than a batch header");
            return true;
        }

        // The producer-state check reads header fields before the log validates the batch: it is side-effect
        // free, and a batch that then fails validation is refused before anything is recorded.
        final MutableDirectBuffer records = recordsView;
        batch.wrap(records, 0);
        final long producerId = batch.producerId();
        final short producerEpoch = batch.producerEpoch();
        final int firstSequence = batch.baseSequence();
        final int lastSequence = ProducerStateTable.increment(firstSequence, Math.max(0, batch.recordCount() - 1));
        final ProducerStateTable producers = partition.producers();
        if (RecordBatch.NO_PRODUCER_ID != producerId)
        {
            final int verdict = producers.check(producerId, producerEpoch, firstSequence, lastSequence);
            if (ProducerStateTable.DUPLICATE == verdict)
            {
                counters.duplicateBatches().incrementRelease();
                queueAck(session, correlationId, partition, acks, producers.duplicateBaseOffset());
                return true;
            }
            if (ProducerStateTable.APPEND != verdict)
            {
                refuseSequence(session, correlationId, partition, verdict, producerId, producerEpoch, firstSequence);
                return true;
            }
        }

        final long baseOffset;
        try
        {
            baseOffset = partition.log().append(records, 0, length, Partition.LEADER_EPOCH);
        }
        catch (final InvalidBatchException ex)
        {
            refuseProduce(session, correlationId, partitionIndex, ErrorCode.INVALID_RECORD_BATCH, ex.getMessage());
            return true;
        }
        catch (final StorageException ex)
        {
            ctx.errorHandler().onError(ex);
            refuseProduce(session, correlationId, partitionIndex, ErrorCode.STORAGE_ERROR, ex.getMessage());
            return true;
        }

        if (RecordBatch.NO_PRODUCER_ID != producerId)
        {
            producers.update(producerId, producerEpoch, firstSequence, lastSequence, baseOffset);
        }
        counters.producedBatches().incrementRelease();
        counters.producedRecords().getAndAddRelease(batch.recordCount());
        if (!partition.isDirty())
        {
            partition.markDirty();
            dirtyPartitions.add(partition);
        }
        queueAck(session, correlationId, partition, acks, baseOffset);

        return true;
    }

    private void queueAck(
        final ClientSession session,
        final long correlationId,
        final Partition partition,
        final byte acks,
        final long baseOffset)
    {
        if (BrokerProtocol.ACKS_NONE != acks)
        {
            pendingAcks.add(session, correlationId, partition, baseOffset);
        }
    }

    private void refuseSequence(
        final ClientSession session,
        final long correlationId,
        final Partition partition,
        final int verdict,
        final long producerId,
        final short producerEpoch,
        final int firstSequence)
    {
        switch (verdict)
        {
            case ProducerStateTable.FENCED:
                refuseProduce(session, correlationId, partition.index(), ErrorCode.INVALID_PRODUCER_EPOCH,
                    "producer " + producerId + " epoch " + producerEpoch + " is fenced by a newer epoch");
                break;

            case ProducerStateTable.UNKNOWN_PRODUCER:
                refuseProduce(session, correlationId, partition.index(), ErrorCode.UNKNOWN_PRODUCER_ID,
                    "producer " + producerId + " epoch " + producerEpoch + " is new to " + partition +
                    " and must start at sequence 0, not " + firstSequence);
                break;

            default:
                refuseProduce(session, correlationId, partition.index(), ErrorCode.OUT_OF_ORDER_SEQUENCE,
                    "producer " + producerId + " sent sequence " + firstSequence + " to " + partition +
                    " but the next expected is " + partition.producers().expectedSequence());
                break;
        }
    }

    private void refuseProduce(
        final ClientSession session,
        final long correlationId,
        final int partition,
        final ErrorCode error,
        final String message)
    {
        counters.errorResponses().incrementRelease();
        final ProduceResponseEncoder encoder = produceResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(error.code())
            .partition(partition)
            .baseOffset(-1)
            .logAppendTime(-1)
            .logStartOffset(-1)
            .errorMessage(null == message ? error.description() : message);
        session.send(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), counters);
    }

    /**
     * Group commit: one force per partition for everything this duty cycle appended, then the acknowledgements,
     * in arrival order.
     */
    private int commitAndAcknowledge()
    {
        final int dirtyCount = dirtyPartitions.size();
        for (int i = 0; i < dirtyCount; i++)
        {
            final Partition partition = dirtyPartitions.get(i);
            partition.clearDirty();
            try
            {
                partition.commit();
            }
            catch (final StorageException ex)
            {
                ctx.errorHandler().onError(ex);
                partition.commitFailed(true);
            }
            try
            {
                partition.snapshotIfRolled();
            }
            catch (final IOException ex)
            {
                // A snapshot only shortens the next open; without it the state is rebuilt from an older one.
                ctx.errorHandler().onError(ex);
            }
        }
        dirtyPartitions.clear();

        final int ackCount = pendingAcks.size();
        for (int i = 0; i < ackCount; i++)
        {
            final ClientSession session = pendingAcks.session(i);
            final Partition partition = pendingAcks.partition(i);
            if (partition.commitFailed())
            {
                refuseProduce(session, pendingAcks.correlationId(i), partition.index(), ErrorCode.STORAGE_ERROR,
                    "the append to " + partition + " could not be made durable");
                continue;
            }
            final ProduceResponseEncoder encoder = produceResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .correlationId(pendingAcks.correlationId(i))
                .errorCode(ErrorCode.NONE.code())
                .partition(partition.index())
                .baseOffset(pendingAcks.baseOffset(i))
                .logAppendTime(-1)
                .logStartOffset(partition.log().logStartOffset())
                .putErrorMessage(NO_ERROR_MESSAGE, 0, 0);
            session.send(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), counters);
        }
        for (int i = 0; i < ackCount; i++)
        {
            pendingAcks.partition(i).commitFailed(false);
        }
        pendingAcks.clear();

        return dirtyCount + ackCount;
    }

    private boolean onFetch(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version, final int end)
    {
        final FetchRequestDecoder decoder = fetchRequest.wrap(buffer, offset, blockLength, version);
        final long correlationId = decoder.correlationId();
        final long sessionId = decoder.sessionId();
        final int partitionIndex = decoder.partition();
        final long fetchOffset = decoder.fetchOffset();
        final int maxBytes = decoder.maxBytes();
        final int maxWaitMs = decoder.maxWaitMs();
        // A version 0 request (or one too short to hold the field) is a plain fetch.
        final int openCreditBytes = version >= 1 && blockLength >= FetchRequestDecoder.BLOCK_LENGTH ?
            decoder.openCreditBytes() : 0;
        if (!varFieldFits(buffer, decoder.limit(), FetchRequestDecoder.topicHeaderLength(), end))
        {
            return false;
        }
        decoder.wrapTopic(topicView);

        final ClientSession session = openSession(sessionId);
        if (null == session)
        {
            return true;
        }

        final Partition partition = topics.partition(topicView, 0, topicView.capacity(), partitionIndex);
        if (null == partition)
        {
            sendFetchError(session, correlationId, partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.description());
            return true;
        }
        // The client moved on (a seek, or it lost track): the open fetch it had for this partition answers no more.
        replaceOpenFetch(session, partition);
        if (maxBytes <= 0 || maxWaitMs < 0)
        {
            sendFetchError(session, correlationId, partitionIndex, ErrorCode.INVALID_REQUEST,
                "max bytes must be positive and max wait not negative");
            return true;
        }
        final long logStart = partition.log().logStartOffset();
        final long logEnd = partition.log().logEndOffset();
        if (fetchOffset < logStart || fetchOffset > logEnd)
        {
            sendFetchError(session, correlationId, partitionIndex, ErrorCode.OFFSET_OUT_OF_RANGE,
                "offset " + fetchOffset + " is outside " + partition + "'s log [" + logStart + ", " + logEnd + "]");
            return true;
        }

        final boolean open = openCreditBytes > 0;
        long credit = open ? openCreditBytes : Long.MAX_VALUE;
        long nextOffset = fetchOffset;
        final long waitNs = TimeUnit.MILLISECONDS.toNanos(Math.min(maxWaitMs, ctx.maxFetchWaitMs()));
        if (fetchOffset < logEnd || 0 == waitNs)
        {
            final int outcome = trySendFetch(session, correlationId, partition, fetchOffset, maxBytes, credit, open);
            if (FETCH_ENDED == outcome || (FETCH_ANSWERED == outcome && answeredNextOffset < 0))
            {
                return true;
            }
            if (FETCH_ANSWERED == outcome)
            {
                nextOffset = answeredNextOffset;
                credit -= answeredBytes;
            }
        }

        if (session.pendingFetches() >= MAX_PENDING_FETCHES_PER_SESSION)
        {
            sendFetchError(session, correlationId, partitionIndex, ErrorCode.INVALID_REQUEST,
                "more than " + MAX_PENDING_FETCHES_PER_SESSION + " fetches are waiting for this session");
            return true;
        }
        final PendingFetch pending = fetchPool.isEmpty() ? new PendingFetch() : fetchPool.poll();
        pendingFetches.add(pending.set(
            session, correlationId, partition, nextOffset, maxBytes, waitNs, nowNs + waitNs, open, credit));
        session.pendingFetches(session.pendingFetches() + 1);
        if (open)
        {
            session.openFetches().add(pending);
            counters.openFetches().incrementRelease();
        }

        return true;
    }

    private void replaceOpenFetch(final ClientSession session, final Partition partition)
    {
        final ArrayList<PendingFetch> openFetches = session.openFetches();
        for (int i = openFetches.size() - 1; i >= 0; i--)
        {
            final PendingFetch open = openFetches.get(i);
            if (open.partition == partition)
            {
                // Removed from the pending list by the next servePendingFetches, with nothing sent.
                open.replaced = true;
                openFetches.remove(i);
            }
        }
    }

    private boolean onFetchCredit(final DirectBuffer buffer, final int offset, final int blockLength, final int version)
    {
        final FetchCreditDecoder decoder = fetchCredit.wrap(buffer, offset, blockLength, version);
        final long correlationId = decoder.correlationId();
        final int creditBytes = decoder.creditBytes();
        if (creditBytes <= 0)
        {
            return false;
        }
        final ClientSession session = openSession(decoder.sessionId());
        if (null == session)
        {
            return true;
        }
        final ArrayList<PendingFetch> openFetches = session.openFetches();
        for (int i = 0, size = openFetches.size(); i < size; i++)
        {
            final PendingFetch open = openFetches.get(i);
            if (open.correlationId == correlationId)
            {
                open.creditBytes = Math.min(open.creditBytes + creditBytes, Integer.MAX_VALUE);
                break;
            }
        }
        // A grant for a fetch that has ended or was replaced is late, not wrong: ignored.

        return true;
    }

    /**
     * Answer the pending fetches that can be answered: data arrived (and an open fetch has credit), the wait ran
     * out (answered empty, which ends an open fetch too), the session or the topic is gone. An open fetch that
     * sent data stays, moved on to the offset after it, its credit reduced and its wait restarted.
     */
    private int servePendingFetches()
    {
        int workCount = 0;
        for (int i = pendingFetches.size() - 1; i >= 0; i--)
        {
            final PendingFetch pending = pendingFetches.get(i);
            final ClientSession session = pending.session;
            boolean done = pending.replaced || ClientSession.State.OPEN != session.state();
            if (!done && pending.partition.isDeleted())
            {
                sendFetchError(session, pending.correlationId, pending.partition.index(),
                    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + pending.partition.topic() + "' was deleted");
                done = true;
            }
            else if (!done)
            {
                final boolean canSend = pending.creditBytes > 0 &&
                    pending.partition.log().logEndOffset() > pending.fetchOffset;
                if (canSend || nowNs >= pending.deadlineNs)
                {
                    final int outcome = trySendFetch(session, pending.correlationId, pending.partition,
                        pending.fetchOffset, pending.maxBytes, canSend ? pending.creditBytes : 0, pending.open);
                    if (FETCH_ANSWERED == outcome && answeredNextOffset >= 0)
                    {
                        pending.fetchOffset = answeredNextOffset;
                        pending.creditBytes -= answeredBytes;
                        pending.deadlineNs = nowNs + pending.waitNs;
                        workCount++;
                    }
                    else
                    {
                        done = FETCH_PUSHED_BACK != outcome;
                    }
                }
            }

            if (done)
            {
                session.pendingFetches(session.pendingFetches() - 1);
                if (pending.open)
                {
                    session.openFetches().remove(pending);
                    counters.openFetches().decrementRelease();
                }
                final int last = pendingFetches.size() - 1;
                pendingFetches.set(i, pendingFetches.get(last));
                pendingFetches.remove(last);
                pending.reset();
                fetchPool.add(pending);
                workCount++;
            }
        }

        return workCount;
    }

    /**
     * Answer a fetch with the log's bytes copied straight into the response: into the claimed term buffer when
     * the response fits one frame, else into the send buffer, offered in fragments. An answer with data to an
     * open fetch names the offset it continues from ({@link #answeredNextOffset}); any other answer names -1,
     * ending the fetch.
     *
     * @param creditBytes what an open fetch may still send: at least one batch goes when positive, nothing when 0.
     * @return {@link #FETCH_PUSHED_BACK} if the session's publication pushed back: keep the fetch and try again
     * later; {@link #FETCH_ANSWERED} with {@link #answeredBytes} and {@link #answeredNextOffset} set; or
     * {@link #FETCH_ENDED}.
     */
    private int trySendFetch(
        final ClientSession session,
        final long correlationId,
        final Partition partition,
        final long fetchOffset,
        final int maxBytes,
        final long creditBytes,
        final boolean open)
    {
        if (ClientSession.State.OPEN != session.state())
        {
            return FETCH_ENDED;
        }
        if (session.hasBacklog())
        {
            return FETCH_PUSHED_BACK;
        }

        final ExclusivePublication publication = session.publication();
        final int maxMessage = Math.min(publication.maxMessageLength(), ctx.maxMessageLength());
        final int cap = (int)Math.min(Math.min(maxBytes, creditBytes), maxMessage - FETCH_PREFIX_LENGTH);
        final boolean hasData;
        try
        {
            hasData = creditBytes > 0 && fetchOffset < partition.log().logEndOffset() &&
                partition.log().read(fetchOffset, Math.max(cap, 1), readResult);
        }
        catch (final OffsetOutOfRangeException ex)
        {
            sendFetchError(session, correlationId, partition.index(), ErrorCode.OFFSET_OUT_OF_RANGE, ex.getMessage());
            return FETCH_ENDED;
        }
        catch (final StorageException ex)
        {
            ctx.errorHandler().onError(ex);
            sendFetchError(session, correlationId, partition.index(), ErrorCode.STORAGE_ERROR, ex.getMessage());
            return FETCH_ENDED;
        }

        final int dataLength = hasData ? readResult.length() : 0;
        final int totalLength = FETCH_PREFIX_LENGTH + dataLength;
        if (totalLength > maxMessage)
        {
            sendFetchError(session, correlationId, partition.index(), ErrorCode.MESSAGE_TOO_LARGE,
                "the batch at offset " + fetchOffset + " does not fit the client's largest message of " + maxMessage);
            return FETCH_ENDED;
        }
        final long nextOffset = open && dataLength > 0 ? readResult.nextOffset() : -1;

        final long result;
        if (totalLength <= publication.maxPayloadLength())
        {
            result = publication.tryClaim(totalLength, bufferClaim);
            if (result > 0)
            {
                final MutableDirectBuffer claimed = bufferClaim.buffer();
                final int claimOffset = bufferClaim.offset();
                if (writeFetchResponse(claimed, claimOffset, correlationId, partition, fetchOffset, nextOffset,
                    dataLength))
                {
                    bufferClaim.commit();
                }
                else
                {
                    bufferClaim.abort();
                    sendFetchError(session, correlationId, partition.index(), ErrorCode.STORAGE_ERROR,
                        "the log of " + partition + " could not be read");
                    return FETCH_ENDED;
                }
            }
        }
        else
        {
            if (!writeFetchResponse(sendBuffer, 0, correlationId, partition, fetchOffset, nextOffset, dataLength))
            {
                sendFetchError(session, correlationId, partition.index(), ErrorCode.STORAGE_ERROR,
                    "the log of " + partition + " could not be read");
                return FETCH_ENDED;
            }
            result = publication.offer(sendBuffer, 0, totalLength);
        }

        if (result > 0)
        {
            counters.fetches().incrementRelease();
            counters.fetchedBytes().getAndAddRelease(dataLength);
            answeredBytes = dataLength;
            answeredNextOffset = nextOffset;
            return FETCH_ANSWERED;
        }
        if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            counters.backPressured().incrementRelease();
            return FETCH_PUSHED_BACK;
        }
        session.state(ClientSession.State.CLOSED);

        return FETCH_ENDED;
    }

    private boolean writeFetchResponse(
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final Partition partition,
        final long fetchOffset,
        final long nextOffset,
        final int dataLength)
    {
        final FetchResponseEncoder encoder = fetchResponse.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(correlationId)
            .errorCode(ErrorCode.NONE.code())
            .partition(partition.index())
            .highWatermark(partition.log().logEndOffset())
            .logStartOffset(partition.log().logStartOffset())
            .fetchOffset(fetchOffset)
            .nextOffset(nextOffset)
            .putErrorMessage(NO_ERROR_MESSAGE, 0, 0);
        final int lengthOffset = encoder.limit();
        buffer.putInt(lengthOffset, dataLength, java.nio.ByteOrder.LITTLE_ENDIAN);
        if (0 == dataLength)
        {
            return true;
        }

        final int dataOffset = lengthOffset + FetchResponseEncoder.recordsHeaderLength();
        try
        {
            final ByteBuffer target = byteBufferView.view(buffer, dataOffset, dataLength);
            if (null != target)
            {
                return readResult.readInto(target) == dataLength;
            }

            final ByteBuffer copy = byteBufferView.view(copyBuffer, 0, dataLength);
            final boolean complete = readResult.readInto(copy) == dataLength;
            buffer.putBytes(dataOffset, copyBuffer, 0, dataLength);
            return complete;
        }
        catch (final IOException ex)
        {
            ctx.errorHandler().onError(ex);
            return false;
        }
    }

    private void sendFetchError(
        final ClientSession session, final long correlationId, final int partition, final ErrorCode error,
        final String message)
    {
        counters.errorResponses().incrementRelease();
        final FetchResponseEncoder encoder = fetchResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(error.code())
            .partition(partition)
            .highWatermark(-1)
            .logStartOffset(-1)
            .fetchOffset(-1)
            .nextOffset(-1)
            .errorMessage(message);
        encoder.putRecords(NO_ERROR_MESSAGE, 0, 0);
        session.send(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), counters);
    }

    private boolean onListOffsets(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version, final int end)
    {
        final ListOffsetsRequestDecoder decoder = listOffsetsRequest.wrap(buffer, offset, blockLength, version);
        final long correlationId = decoder.correlationId();
        final long sessionId = decoder.sessionId();
        final int partitionIndex = decoder.partition();
        final long timestamp = decoder.timestamp();
        if (!varFieldFits(buffer, decoder.limit(), ListOffsetsRequestDecoder.topicHeaderLength(), end))
        {
            return false;
        }
        decoder.wrapTopic(topicView);
        final ClientSession session = openSession(sessionId);
        if (null == session)
        {
            return true;
        }

        final Partition partition = topics.partition(topicView, 0, topicView.capacity(), partitionIndex);
        ErrorCode error = ErrorCode.NONE;
        String message = "";
        long resultOffset = -1;
        if (null == partition)
        {
            error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            message = error.description();
        }
        else if (BrokerProtocol.EARLIEST_TIMESTAMP == timestamp)
        {
            resultOffset = partition.log().logStartOffset();
        }
        else if (BrokerProtocol.LATEST_TIMESTAMP == timestamp)
        {
            resultOffset = partition.log().logEndOffset();
        }
        else if (timestamp < 0)
        {
            error = ErrorCode.INVALID_REQUEST;
            message = "timestamp " + timestamp + " is neither -2 (earliest), -1 (latest) nor a time";
        }
        else
        {
            try
            {
                resultOffset = partition.log().offsetForTimestamp(timestamp, readResult);
            }
            catch (final StorageException ex)
            {
                ctx.errorHandler().onError(ex);
                error = ErrorCode.STORAGE_ERROR;
                message = ex.getMessage();
            }
        }

        if (ErrorCode.NONE != error)
        {
            counters.errorResponses().incrementRelease();
        }
        final ListOffsetsResponseEncoder encoder = listOffsetsResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(error.code())
            .partition(partitionIndex)
            .resultOffset(resultOffset)
            .timestamp(timestamp)
            .errorMessage(message);
        session.send(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), counters);

        return true;
    }

    private boolean onInitProducerId(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version)
    {
        initProducerIdRequest.wrap(buffer, offset, blockLength, version);
        final long correlationId = initProducerIdRequest.correlationId();
        final ClientSession session = openSession(initProducerIdRequest.sessionId());
        if (null == session)
        {
            return true;
        }

        ErrorCode error = ErrorCode.NONE;
        String message = "";
        long producerId = -1;
        try
        {
            producerId = metadataStore.allocateProducerId();
        }
        catch (final RuntimeException ex)
        {
            ctx.errorHandler().onError(ex);
            error = ErrorCode.STORAGE_ERROR;
            message = "cannot allocate a producer id: " + ex.getMessage();
        }
        final InitProducerIdResponseEncoder encoder = initProducerIdResponse
            .wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(error.code())
            .producerId(producerId)
            .producerEpoch((short)0)
            .errorMessage(message);
        session.send(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), counters);

        return true;
    }

    private boolean onMembers(final DirectBuffer buffer, final int offset, final int blockLength, final int version)
    {
        membersRequest.wrap(buffer, offset, blockLength, version);
        final long correlationId = membersRequest.correlationId();
        final ClientSession session = openSession(membersRequest.sessionId());
        if (null == session)
        {
            return true;
        }

        final List<MemberDirectory.MemberInfo> members = memberDirectory.members();
        final MembersResponseEncoder encoder = membersResponse.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(ErrorCode.NONE.code());
        final MembersResponseEncoder.MembersEncoder membersEncoder = encoder.membersCount(members.size());
        for (final MemberDirectory.MemberInfo member : members)
        {
            final byte[] metadata = null == member.metadata() ? NO_ERROR_MESSAGE : member.metadata();
            membersEncoder.next()
                .incarnation(member.incarnation())
                .state((short)member.state())
                .memberId(member.id())
                .endpoint(member.endpoint())
                .putMetadata(metadata, 0, metadata.length);
        }
        encoder.errorMessage("");
        session.send(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), counters);

        return true;
    }

    // ---------------------------------------------------------------- sessions

    private int drainBacklogs()
    {
        int workCount = 0;
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            workCount += sessions.get(i).drainBacklog();
        }

        return workCount;
    }

    private int timeOutSessions()
    {
        int workCount = 0;
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.sessionTimeoutMs());
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            final ClientSession session = sessions.get(i);
            if (ClientSession.State.OPEN == session.state() && nowNs - session.lastActivityNs() > timeoutNs)
            {
                counters.sessionsTimedOut().incrementRelease();
                session.state(ClientSession.State.CLOSED);
            }
            if (ClientSession.State.CLOSED == session.state() && !connecting.contains(session))
            {
                removeSession(session);
                workCount++;
            }
        }

        return workCount;
    }

    private void removeSession(final ClientSession session)
    {
        sessionById.remove(session.sessionId());
        sessions.remove(session);
        if (null == session.publication())
        {
            // The publication may still be on its way: release it with the driver when it arrives.
            aeron.asyncRemovePublication(session.registrationId());
        }
        CloseHelper.close(ctx.errorHandler(), session);
    }

    /**
     * Produce acknowledgements waiting for this duty cycle's group commit. Parallel arrays: nothing is allocated
     * per request once they have grown to the busiest cycle's size.
     */
    private static final class PendingAcks
    {
        private ClientSession[] sessions = new ClientSession[64];
        private Partition[] partitions = new Partition[64];
        private long[] correlationIds = new long[64];
        private long[] baseOffsets = new long[64];
        private int size;

        void add(final ClientSession session, final long correlationId, final Partition partition, final long baseOffset)
        {
            if (size == sessions.length)
            {
                sessions = java.util.Arrays.copyOf(sessions, size * 2);
                partitions = java.util.Arrays.copyOf(partitions, size * 2);
                correlationIds = java.util.Arrays.copyOf(correlationIds, size * 2);
                baseOffsets = java.util.Arrays.copyOf(baseOffsets, size * 2);
            }
            sessions[size] = session;
            partitions[size] = partition;
            correlationIds[size] = correlationId;
            baseOffsets[size] = baseOffset;
            size++;
        }

        int size()
        {
            return size;
        }

        ClientSession session(final int i)
        {
            return sessions[i];
        }

        Partition partition(final int i)
        {
            return partitions[i];
        }

        long correlationId(final int i)
        {
            return correlationIds[i];
        }

        long baseOffset(final int i)
        {
            return baseOffsets[i];
        }

        void clear()
        {
            java.util.Arrays.fill(sessions, 0, size, null);
            java.util.Arrays.fill(partitions, 0, size, null);
            size = 0;
        }
    }
}
