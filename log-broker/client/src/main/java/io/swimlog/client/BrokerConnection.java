package io.swimlog.client;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.Configuration;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.swimlog.protocol.broker.BrokerProtocol;
import io.swimlog.protocol.broker.ErrorCode;
import io.swimlog.protocol.broker.IdleStrategies;
import io.swimlog.protocol.broker.codecs.CloseSessionEncoder;
import io.swimlog.protocol.broker.codecs.ConnectRequestEncoder;
import io.swimlog.protocol.broker.codecs.ConnectResponseDecoder;
import io.swimlog.protocol.broker.codecs.KeepAliveEncoder;
import io.swimlog.protocol.broker.codecs.MessageHeaderDecoder;
import io.swimlog.protocol.broker.codecs.MessageHeaderEncoder;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One session with a broker, Aeron Cluster's ingress/egress pattern: requests go to the broker's endpoint on an
 * exclusive publication, responses come back on this client's own subscription (an ephemeral port), whose
 * channel the ConnectRequest names. The broker answers with a session id that every later request carries.
 * <p>
 * The low-level layer under {@link Producer}, {@link Consumer} and {@link Admin}; usable directly to send
 * hand-encoded requests. {@link #reconnect()} opens a new session after the broker restarted or timed the old
 * one out: publications and the subscription are kept, only the session changes.
 * <p>
 * Not thread safe: one thread at a time (the owners serialise access).
 */
public final class BrokerConnection implements AutoCloseable
{
    /**
     * Receives every response that arrives; offsets point at the message header.
     */
    @FunctionalInterface
    public interface ResponseHandler
    {
        /**
         * @param templateId  of the response message.
         * @param buffer      holding it, valid only during the call.
         * @param offset      of the body (after the message header).
         * @param blockLength of the body's root block.
         * @param version     of the schema it was encoded with.
         * @param length      of the body.
         */
        void onResponse(int templateId, DirectBuffer buffer, int offset, int blockLength, int version, int length);
    }

    private static final int FRAGMENT_LIMIT = 64;

    private final ClientContext ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final boolean ownsAeron;
    private final UnsafeBuffer buffer;
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(new byte[4096]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectRequestEncoder connectRequest = new ConnectRequestEncoder();
    private final ConnectResponseDecoder connectResponse = new ConnectResponseDecoder();
    private final KeepAliveEncoder keepAlive = new KeepAliveEncoder();
    private final CloseSessionEncoder closeSession = new CloseSessionEncoder();
    private final FragmentAssembler assembler;
    private final IdleStrategy idleStrategy = new BackoffIdleStrategy(
        10, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));

    private Subscription responses;
    private ExclusivePublication requests;
    private String responseChannel;
    private int responseStreamId = BrokerProtocol.RESPONSE_STREAM_ID;
    private ResponseHandler handler;
    private long sessionId = -1;
    private long correlationId;
    private long connectCorrelationId;
    private int maxMessageLength;
    private long sessionTimeoutNs;
    private long lastSendNs;
    private String brokerId;
    private ErrorCode connectError;
    private String connectErrorMessage;
    private boolean connectAnswered;

    /**
     * Set up the Aeron resources and open a session.
     *
     * @param ctx concluded here.
     * @throws BrokerUnavailableException if the broker does not answer within the connect timeout.
     */
    public BrokerConnection(final ClientContext ctx)
    {
        ctx.conclude();
        this.ctx = ctx;
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(ctx.termLength() / 8, 64));
        this.assembler = new FragmentAssembler(this::onFragment, 64 * 1024, true);
        this.correlationId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2);

        MediaDriver launched = null;
        Aeron connected = ctx.aeron();
        try
        {
            if (null == connected)
            {
                String dir = ctx.aeronDirectoryName();
                if (null == dir)
                {
                    launched = launchEmbeddedDriver(null != ctx.embeddedDriverDirectory() ?
                        ctx.embeddedDriverDirectory().get() : CommonContext.generateRandomDirName());
                    dir = launched.aeronDirectoryName();
                }
                connected = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(launched);
            throw ex;
        }
        this.driver = launched;
        this.aeron = connected;
        this.ownsAeron = null == ctx.aeron();

        try
        {
            openChannels();
            connect();
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * A media driver for this process, in its own directory deleted on close: what a client launches when it is
     * given neither an Aeron client nor a driver directory. Launch one and share it (with
     * {@link ClientContext#aeronDirectoryName}) when a process runs several clients.
     *
     * @return the running driver.
     */
    public static MediaDriver launchEmbeddedDriver()
    {
        return launchEmbeddedDriver(CommonContext.generateRandomDirName());
    }

    /**
     * As {@link #launchEmbeddedDriver()}, in the given directory.
     *
     * @param directory for the driver, not used by another.
     * @return the running driver.
     */
    public static MediaDriver launchEmbeddedDriver(final String directory)
    {
        return MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(driverIdleStrategy())
            .socketRcvbufLength(2 * 1024 * 1024)
            .socketSndbufLength(2 * 1024 * 1024)
            .initialWindowLength(2 * 1024 * 1024)
            .warnIfDirectoryExists(false));
    }

    /**
     * Aeron's {@code aeron.shared.idle.strategy} when it is set (spin for a latency run on spare cores), else a
     * backoff that parks for at most 100 us: it behaves on 2 cores shared with other processes.
     */
    private static IdleStrategy driverIdleStrategy()
    {
        return null != System.getProperty(Configuration.SHARED_IDLE_STRATEGY_PROP_NAME) ?
            Configuration.sharedIdleStrategy(null) :
            IdleStrategies.newIdleStrategy(IdleStrategies.BACKOFF);
    }

    private void openChannels()
    {
        if (ctx.ipc())
        {
            // The broker answers on a stream of our own: every IPC client of the driver subscribes on the same
            // channel, and a driver-wide unique id keeps their streams apart.
            responseStreamId = BrokerProtocol.ipcResponseStreamId(aeron.nextCorrelationId());
            final String ipcChannel = "aeron:ipc?mtu=" + ctx.mtu() + "|term-length=" + ctx.termLength();
            responseChannel = ipcChannel;
            responses = aeron.addSubscription("aeron:ipc", responseStreamId);
            requests = aeron.addExclusivePublication(
                ipcChannel, BrokerProtocol.ipcRequestStreamId(ctx.bootstrapAddress().getPort()));
            return;
        }
        responses = aeron.addSubscription(
            "aeron:udp?endpoint=" + ctx.responseHost() + ":0", BrokerProtocol.RESPONSE_STREAM_ID);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.connectTimeoutMs());
        String resolved;
        while (null == (resolved = responses.tryResolveChannelEndpointPort()))
        {
            checkDeadline(deadlineNs, "the response channel did not bind to a port");
            idleStrategy.idle();
        }
        final ChannelUri uri = ChannelUri.parse(resolved);
        uri.put("mtu", Integer.toString(ctx.mtu()));
        uri.put("term-length", Integer.toString(ctx.termLength()));
        responseChannel = uri.toString();

        requests = aeron.addExclusivePublication(
            "aeron:udp?endpoint=" + ctx.bootstrap() + "|mtu=" + ctx.mtu() + "|term-length=" + ctx.termLength(),
            BrokerProtocol.REQUEST_STREAM_ID);
    }

    private void checkDeadline(final long deadlineNs, final String what)
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new BrokerUnavailableException("cannot reach the broker at " + ctx.bootstrap() + ": " + what +
                " within " + ctx.connectTimeoutMs() + " ms");
        }
    }

    private void connect()
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.connectTimeoutMs());
        while (!requests.isConnected())
        {
            checkDeadline(deadlineNs, ctx.ipc() ?
                "no broker takes IPC requests on this media driver for port " + ctx.bootstrapAddress().getPort() +
                " (is the node using the same --aeron-dir?)" : "no broker is listening there");
            idleStrategy.idle();
        }

        sessionId = -1;
        connectAnswered = false;
        connectCorrelationId = nextCorrelationId();
        final ConnectRequestEncoder encoder = connectRequest.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .correlationId(connectCorrelationId)
            .protocolVersion(BrokerProtocol.PROTOCOL_VERSION)
            .responseStreamId(responseStreamId)
            .responseChannel(responseChannel)
            .clientName(ctx.clientName());
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        while (requests.offer(controlBuffer, 0, length) < 0)
        {
            checkDeadline(deadlineNs, "the connect request could not be sent");
            idleStrategy.idle();
        }
        lastSendNs = System.nanoTime();

        final ResponseHandler previous = handler;
        handler = null;
        try
        {
            while (!connectAnswered)
            {
                checkDeadline(deadlineNs, "no answer to the connect request");
                idleStrategy.idle(responses.poll(assembler, FRAGMENT_LIMIT));
            }
        }
        finally
        {
            handler = previous;
        }
        if (ErrorCode.NONE != connectError)
        {
            throw new ClientException(connectError, "the broker at " + ctx.bootstrap() + " refused the session: " +
                connectErrorMessage);
        }
    }

    /**
     * Open a new session (after a broker restart or a session timeout). Requests in flight on the old session
     * are lost: their owner resends them.
     *
     * @throws BrokerUnavailableException if the broker does not answer within the connect timeout.
     */
    public void reconnect()
    {
        connect();
    }

    /**
     * Open a new session if this one has been quiet for so long that the broker may have timed it out; call it
     * before encoding a request, which carries the session id. Owners that poll all the time never need it
     * (polling sends keep-alives).
     *
     * @throws BrokerUnavailableException if a new session cannot be opened.
     */
    public void ensureSession()
    {
        if (sessionId < 0 || System.nanoTime() - lastSendNs > sessionTimeoutNs / 2)
        {
            connect();
        }
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId())
        {
            return;
        }
        final int templateId = headerDecoder.templateId();
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        if (ConnectResponseDecoder.TEMPLATE_ID == templateId)
        {
            connectResponse.wrap(buffer, bodyOffset, blockLength, version);
            if (connectResponse.correlationId() == connectCorrelationId)
            {
                sessionId = connectResponse.sessionId();
                connectError = ErrorCode.get(connectResponse.errorCode());
                maxMessageLength = connectResponse.maxMessageLength();
                sessionTimeoutNs = TimeUnit.MILLISECONDS.toNanos(connectResponse.sessionTimeoutMs());
                brokerId = connectResponse.brokerId();
                connectErrorMessage = connectResponse.errorMessage();
                connectAnswered = true;
            }
            return;
        }
        if (null != handler)
        {
            handler.onResponse(templateId, buffer, bodyOffset, blockLength, version,
                length - MessageHeaderDecoder.ENCODED_LENGTH);
        }
    }

    /**
     * Dispatch the responses that have arrived, and keep the session alive when it has been quiet.
     *
     * @param handler receives each response.
     * @return fragments read.
     */
    public int poll(final ResponseHandler handler)
    {
        this.handler = handler;
        final int fragments = responses.poll(assembler, FRAGMENT_LIMIT);
        final long nowNs = System.nanoTime();
        if (nowNs - lastSendNs > sessionTimeoutNs / 4 && sessionId >= 0)
        {
            final int length = MessageHeaderEncoder.ENCODED_LENGTH +
                keepAlive.wrapAndApplyHeader(controlBuffer, 0, headerEncoder).sessionId(sessionId).encodedLength();
            if (requests.offer(controlBuffer, 0, length) > 0)
            {
                lastSendNs = nowNs;
            }
        }

        return fragments;
    }

    /**
     * Send an encoded request.
     *
     * @return true if sent, false if back-pressured (try again).
     * @throws BrokerUnavailableException if the broker is not connected.
     */
    public boolean offer(final DirectBuffer request, final int offset, final int length)
    {
        final long result = requests.offer(request, offset, length);
        if (result > 0)
        {
            lastSendNs = System.nanoTime();
            return true;
        }
        if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            return false;
        }
        if (Publication.MAX_POSITION_EXCEEDED == result)
        {
            throw new BrokerUnavailableException("the request stream to " + ctx.bootstrap() + " is exhausted");
        }

        throw new BrokerUnavailableException("the broker at " + ctx.bootstrap() + " is not connected");
    }

    /**
     * @return whether the broker is receiving this client's requests.
     */
    public boolean isConnected()
    {
        return null != requests && requests.isConnected();
    }

    public long nextCorrelationId()
    {
        return correlationId++;
    }

    public long sessionId()
    {
        return sessionId;
    }

    /**
     * @return the largest request the broker accepts, from its connect response.
     */
    public int maxMessageLength()
    {
        return Math.min(maxMessageLength, requests.maxMessageLength());
    }

    /**
     * @return a scratch buffer of {@code term length / 8} bytes for encoding requests, shared with the connection.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    public MessageHeaderEncoder headerEncoder()
    {
        return headerEncoder;
    }

    public String brokerId()
    {
        return brokerId;
    }

    public ClientContext context()
    {
        return ctx;
    }

    public void close()
    {
        if (sessionId >= 0 && null != requests && requests.isConnected())
        {
            final int length = MessageHeaderEncoder.ENCODED_LENGTH +
                closeSession.wrapAndApplyHeader(controlBuffer, 0, headerEncoder).sessionId(sessionId).encodedLength();
            requests.offer(controlBuffer, 0, length);
        }
        sessionId = -1;
        if (ownsAeron)
        {
            CloseHelper.closeAll(requests, responses, aeron, driver);
        }
        else
        {
            CloseHelper.closeAll(requests, responses);
        }
    }
}
