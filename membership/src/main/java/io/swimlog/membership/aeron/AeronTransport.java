package io.swimlog.membership.aeron;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import io.swimlog.membership.Endpoints;
import io.swimlog.membership.MembershipContext;
import io.swimlog.membership.Transport;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.ArrayListUtil;
import org.agrona.collections.Object2ObjectHashMap;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.NanoClock;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Membership datagrams over Aeron UDP: one subscription on {@code aeron:udp?endpoint=<bind>} (stream
 * {@link #MEMBERSHIP_STREAM_ID}), and one small {@link ExclusivePublication} per peer in use
 * ({@code aeron:udp?endpoint=<peer>|term-length=64k|linger=...}), created on demand and closed once idle
 * ({@link AeronTransportContext#PUBLICATION_IDLE_TIMEOUT_MS_DEFAULT}, 3 s: three probe intervals). An open
 * publication costs about 15 packets a second on the wire (Aeron's 100 ms heartbeats and the receiver's 200 ms
 * status messages) whether or not it carries anything, and SWIM talks to a random peer each round, so a member
 * holds only the publications of the last few rounds instead of one to every peer it ever talked to.
 * <p>
 * Invariants:
 * <ul>
 *     <li>A datagram travels in exactly one Aeron frame: {@link #send} refuses (and counts) datagrams longer
 *     than {@link #maxDatagramLength()}, and {@link #poll} drops (and counts) fragments of longer messages, so
 *     no reassembly buffer is needed on either side.</li>
 *     <li>No exception and no allocation on the send and poll paths in steady state (a peer whose publication
 *     is open); failures are return values and {@link AeronTransportCounters}.</li>
 *     <li>A publication is created asynchronously and is not connected until the peer's driver answers. The
 *     first datagrams to a new (or idle-closed) peer wait in a small queue for up to the connect timeout
 *     (1 s by default: late is better than lost) and are then sent or dropped; {@link #send} returns true for
 *     a queued datagram. A peer that is down never connects: its datagrams are dropped, as UDP loses them.</li>
 * </ul>
 * Threading: {@link #send} and {@link #poll} are called by the member's thread only; {@link #close()} after that
 * thread has stopped. With its own embedded driver the transport's Aeron client has no thread: {@link #poll} runs
 * its conductor. Buffers handed to the handler are valid only during the call.
 */
public final class AeronTransport implements Transport
{
    public static final int MEMBERSHIP_STREAM_ID = AeronTransportContext.MEMBERSHIP_STREAM_ID;

    private static final long LOCAL_ENDPOINT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long MAX_IDLE_CHECK_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final AeronTransportContext ctx;
    private final EmbeddedMediaDriver embeddedDriver;
    private final Aeron aeron;
    private final AgentInvoker clientConductor;
    private final boolean ownsAeron;
    private final Subscription subscription;
    private final String localEndpoint;
    private final AeronTransportCounters counters;
    private final ErrorHandler errorHandler;
    private final NanoClock nanoClock;
    private final int maxDatagramLength;
    private final int pendingDatagrams;
    private final long connectTimeoutNs;
    private final long idleTimeoutNs;
    private final long idleCheckIntervalNs;
    private final String channelSuffix;

    private final Object2ObjectHashMap<String, PeerPublication> peerByEndpoint = new Object2ObjectHashMap<>();
    private final ArrayList<PeerPublication> peers = new ArrayList<>();
    private final ArrayDeque<PeerPublication> freePeers = new ArrayDeque<>();
    private final FragmentHandler fragmentHandler = this::onFragment;

    private DatagramHandler datagramHandler;
    private int delivered;
    private int connectingCount;
    private long nowNs;
    private long nextIdleCheckNs;
    private boolean isClosed;
    private boolean isClientLossReported;

    private AeronTransport(
        final AeronTransportContext ctx, final EmbeddedMediaDriver embeddedDriver, final Aeron aeron,
        final boolean ownsAeron)
    {
        this.ctx = ctx;
        this.embeddedDriver = embeddedDriver;
        this.aeron = aeron;
        // Only the client of the transport's own driver is invoked from here; a shared client has other users.
        this.clientConductor = null != embeddedDriver ? aeron.conductorAgentInvoker() : null;
        this.ownsAeron = ownsAeron;
        this.errorHandler = ctx.errorHandler();
        this.nanoClock = ctx.nanoClock();
        this.maxDatagramLength = ctx.maxDatagramLength();
        this.pendingDatagrams = ctx.pendingDatagrams();
        this.connectTimeoutNs = ctx.connectTimeoutNs();
        this.idleTimeoutNs = ctx.publicationIdleTimeoutNs();
        this.idleCheckIntervalNs = Math.min(MAX_IDLE_CHECK_INTERVAL_NS, Math.max(1, idleTimeoutNs / 4));
        this.channelSuffix = ctx.publicationChannelSuffix();

        Subscription subscription = null;
        AeronTransportCounters counters = null;
        try
        {
            subscription = aeron.addSubscription(
                "aeron:udp?endpoint=" + ctx.bind() + "|mtu=" + ctx.mtuLength(), ctx.streamId());
            this.localEndpoint = resolveLocalEndpoint(ctx.bind(), subscription);
            counters = new AeronTransportCounters(aeron, localEndpoint);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(subscription, counters);
            throw ex;
        }
        this.subscription = subscription;
        this.counters = counters;
        this.nowNs = nanoClock.nanoTime();
        this.nextIdleCheckNs = nowNs + idleCheckIntervalNs;
    }

    /**
     * Starts a transport: subscribes on the context's bind endpoint, using the shared client, an external driver
     * or an embedded driver (see {@link AeronTransportContext}).
     *
     * @throws IllegalArgumentException when a setting is wrong.
     * @throws IllegalStateException    when the endpoint cannot be bound (in use, not a local address).
     */
    public static AeronTransport launch(final AeronTransportContext ctx)
    {
        ctx.conclude();
        if (null != ctx.aeron())
        {
            return bind(ctx, null, ctx.aeron(), false);
        }
        if (null != ctx.aeronDirectoryName())
        {
            final Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(ctx.aeronDirectoryName())
                .errorHandler(ctx.errorHandler()));
            return bind(ctx, null, aeron, true);
        }
        // This driver carries membership traffic only, so the driver-wide settings can suit it; and its client has
        // one user, the member's thread, which runs the client's conductor in its duty cycle (poll): a new
        // publication or image is then ready a cycle after the driver's answer, not after a 16 ms client sleep.
        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(
            "membership-" + ctx.bind(), ctx.errorHandler(), ctx::configureDriver, true);
        return bind(ctx, driver, driver.aeron(), false);
    }

    /**
     * Starts the transport a member's context asks for: its bind endpoint, over {@link MembershipContext#aeron()}
     * when set, else the external driver in {@link MembershipContext#aeronDirectoryName()}, else an embedded
     * driver owned by the transport. Errors go to the context's error handler.
     *
     * @throws IllegalArgumentException when the member's datagrams could not fit one Aeron frame.
     * @throws IllegalStateException    when the endpoint cannot be bound.
     */
    public static AeronTransport launch(final MembershipContext ctx)
    {
        final AeronTransportContext transportContext = new AeronTransportContext()
            .bind(ctx.bind())
            .aeron(ctx.aeron())
            .aeronDirectoryName(ctx.aeronDirectoryName())
            .errorHandler(ctx.errorHandler());
        transportContext.conclude();
        if (ctx.maxDatagramLength() > transportContext.maxDatagramLength())
        {
            throw new IllegalArgumentException("maxDatagramLength " + ctx.maxDatagramLength() +
                " exceeds the " + transportContext.maxDatagramLength() + " bytes one Aeron frame carries at MTU " +
                transportContext.mtuLength());
        }
        return launch(transportContext);
    }

    private static AeronTransport bind(
        final AeronTransportContext ctx, final EmbeddedMediaDriver driver, final Aeron aeron, final boolean ownsAeron)
    {
        try
        {
            return new AeronTransport(ctx, driver, aeron, ownsAeron);
        }
        catch (final RegistrationException ex)
        {
            closeOwned(driver, aeron, ownsAeron);
            throw new IllegalStateException("cannot listen on " + ctx.bind() + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            closeOwned(driver, aeron, ownsAeron);
            throw ex;
        }
    }

    private static void closeOwned(final EmbeddedMediaDriver driver, final Aeron aeron, final boolean ownsAeron)
    {
        if (ownsAeron)
        {
            CloseHelper.quietClose(aeron);
        }
        CloseHelper.quietClose(driver);
    }

    /**
     * {@inheritDoc}
     * <p>
     * True when Aeron took the datagram, or when it is queued for a peer whose publication is still connecting.
     */
    public boolean send(final String endpoint, final DirectBuffer buffer, final int offset, final int length)
    {
        if (isClientLossReported)
        {
            return false;
        }
        if (length > maxDatagramLength)
        {
            counters.onOversizeSend();
            return false;
        }

        PeerPublication peer = peerByEndpoint.get(endpoint);
        if (null == peer)
        {
            peer = newPeer(endpoint);
        }
        else if (PeerPublication.UNREACHABLE == peer.state && nowNs - peer.retryAtNs >= 0)
        {
            connect(peer);
        }

        switch (peer.state)
        {
            case PeerPublication.OPEN:
                return offer(peer, buffer, offset, length);

            case PeerPublication.CONNECTING:
                if (null != peer.publication && 0 == peer.pendingCount() && peer.publication.isConnected())
                {
                    return offer(peer, buffer, offset, length);
                }
                if (nowNs - peer.connectDeadlineNs < 0 &&
                    peer.enqueue(buffer, offset, length, pendingDatagrams, maxDatagramLength))
                {
                    peer.lastSendNs = nowNs;
                    return true;
                }
                counters.onExpiredPending(1);
                return false;

            default:
                peer.lastSendNs = nowNs;
                counters.onUnreachableSend();
                return false;
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Also runs the conductor of the transport's own Aeron client, completes connecting publications and closes
     * idle ones, which is why it must be called every duty cycle.
     */
    public int poll(final DatagramHandler handler, final int limit)
    {
        if (null != clientConductor && !aeron.isClosed())
        {
            clientConductor.invoke();
        }
        if (aeron.isClosed())
        {
            onClientClosed();
            return 0;
        }
        nowNs = nanoClock.nanoTime();
        datagramHandler = handler;
        delivered = 0;
        subscription.poll(fragmentHandler, limit);
        datagramHandler = null;

        if (connectingCount > 0)
        {
            serviceConnecting();
        }
        if (nowNs - nextIdleCheckNs >= 0)
        {
            nextIdleCheckNs = nowNs + idleCheckIntervalNs;
            closeIdlePeers();
        }
        return delivered;
    }

    public String localEndpoint()
    {
        return localEndpoint;
    }

    /**
     * The largest datagram {@link #send} accepts: the MTU less Aeron's frame header.
     */
    public int maxDatagramLength()
    {
        return maxDatagramLength;
    }

    public AeronTransportCounters counters()
    {
        return counters;
    }

    /**
     * The Aeron client this transport sends and receives through (owned or shared).
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * How many peers currently have a publication (open, connecting or refused).
     */
    public int peerCount()
    {
        return peers.size();
    }

    public AeronTransportContext context()
    {
        return ctx;
    }

    /**
     * The embedded driver this transport launched and owns, or null when it runs on a shared client or an
     * external driver.
     */
    EmbeddedMediaDriver embeddedDriver()
    {
        return embeddedDriver;
    }

    public void close()
    {
        if (isClosed)
        {
            return;
        }
        isClosed = true;
        for (int i = 0, size = peers.size(); i < size; i++)
        {
            closePublication(peers.get(i));
        }
        peers.clear();
        peerByEndpoint.clear();
        CloseHelper.close(errorHandler, subscription);
        counters.close(errorHandler);
        if (ownsAeron)
        {
            CloseHelper.close(errorHandler, aeron);
        }
        CloseHelper.close(errorHandler, embeddedDriver);
    }

    public String toString()
    {
        return "AeronTransport{localEndpoint=" + localEndpoint + ", peers=" + peers.size() + '}';
    }

    private void onClientClosed()
    {
        if (!isClientLossReported)
        {
            // The driver went away or timed the client out (a stop longer than its liveness timeout): nothing sent
            // or received from now on, which the protocol sees as this member being cut off.
            isClientLossReported = true;
            errorHandler.onError(new IllegalStateException(
                "the Aeron client of " + localEndpoint + " has closed: this member can no longer send or receive"));
        }
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (FrameDescriptor.UNFRAGMENTED != (header.flags() & FrameDescriptor.UNFRAGMENTED))
        {
            counters.onFragmentedReceive();
            return;
        }
        delivered++;
        counters.onDatagramReceived();
        datagramHandler.onDatagram(buffer, offset, length);
    }

    private boolean offer(final PeerPublication peer, final DirectBuffer buffer, final int offset, final int length)
    {
        final long result = peer.publication.offer(buffer, offset, length);
        if (result > 0)
        {
            peer.lastSendNs = nowNs;
            counters.onDatagramsSent(1);
            return true;
        }
        if (Publication.NOT_CONNECTED == result)
        {
            counters.onNotConnectedSend();
        }
        else if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            counters.onBackPressuredSend();
        }
        else
        {
            // CLOSED or MAX_POSITION_EXCEEDED: this publication is finished; the next send opens a fresh one.
            counters.onNotConnectedSend();
            removePeer(peer);
        }
        return false;
    }

    private PeerPublication newPeer(final String endpoint)
    {
        final PeerPublication peer = freePeers.isEmpty() ? new PeerPublication() : freePeers.pollFirst();
        peer.endpoint = endpoint;
        peer.lastSendNs = nowNs;
        peerByEndpoint.put(endpoint, peer);
        peers.add(peer);
        connect(peer);
        return peer;
    }

    private void connect(final PeerPublication peer)
    {
        peer.state = PeerPublication.CONNECTING;
        peer.connectDeadlineNs = nowNs + connectTimeoutNs;
        connectingCount++;
        try
        {
            peer.registrationId = aeron.asyncAddExclusivePublication(
                "aeron:udp?endpoint=" + peer.endpoint + channelSuffix, ctx.streamId());
        }
        catch (final RuntimeException ex)
        {
            unreachable(peer, ex);
        }
    }

    private void serviceConnecting()
    {
        for (int i = peers.size() - 1; i >= 0; i--)
        {
            final PeerPublication peer = peers.get(i);
            if (PeerPublication.CONNECTING != peer.state)
            {
                continue;
            }

            if (null == peer.publication)
            {
                try
                {
                    peer.publication = aeron.getExclusivePublication(peer.registrationId);
                }
                catch (final RegistrationException ex)
                {
                    unreachable(peer, ex);
                    continue;
                }
                catch (final AeronException ex)
                {
                    unreachable(peer, ex);
                    continue;
                }
                if (null != peer.publication)
                {
                    counters.onPublicationOpened();
                }
            }

            if (null != peer.publication && peer.publication.isConnected())
            {
                counters.onDatagramsSent(peer.flush());
                if (0 == peer.pendingCount())
                {
                    open(peer);
                }
            }
            else if (nowNs - peer.connectDeadlineNs >= 0)
            {
                counters.onExpiredPending(peer.clearPending());
                if (null != peer.publication)
                {
                    open(peer);
                }
            }
        }
    }

    private void open(final PeerPublication peer)
    {
        peer.state = PeerPublication.OPEN;
        connectingCount--;
    }

    private void unreachable(final PeerPublication peer, final RuntimeException ex)
    {
        if (PeerPublication.CONNECTING == peer.state)
        {
            connectingCount--;
        }
        peer.state = PeerPublication.UNREACHABLE;
        peer.registrationId = Aeron.NULL_VALUE;
        peer.publication = null;
        peer.retryAtNs = nowNs + ctx.unreachableRetryNs();
        counters.onExpiredPending(peer.clearPending());
        if (!peer.isErrorReported)
        {
            // Once per peer entry: a mistyped seed retried every second should not flood the error log.
            peer.isErrorReported = true;
            errorHandler.onError(new IllegalStateException(
                "cannot send to " + peer.endpoint + ": " + ex.getMessage(), ex));
        }
    }

    private void closeIdlePeers()
    {
        for (int i = peers.size() - 1; i >= 0; i--)
        {
            final PeerPublication peer = peers.get(i);
            if (nowNs - peer.lastSendNs >= idleTimeoutNs && 0 == peer.pendingCount())
            {
                removePeer(peer);
            }
        }
    }

    private void removePeer(final PeerPublication peer)
    {
        if (PeerPublication.CONNECTING == peer.state)
        {
            connectingCount--;
        }
        closePublication(peer);
        peerByEndpoint.remove(peer.endpoint);
        final int index = peers.indexOf(peer);
        if (index >= 0)
        {
            ArrayListUtil.fastUnorderedRemove(peers, index);
        }
        peer.reset();
        freePeers.addLast(peer);
    }

    private void closePublication(final PeerPublication peer)
    {
        if (null != peer.publication)
        {
            CloseHelper.close(errorHandler, peer.publication);
            counters.onPublicationClosed();
        }
        else if (Aeron.NULL_VALUE != peer.registrationId && !aeron.isClosed())
        {
            try
            {
                aeron.asyncRemovePublication(peer.registrationId);
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
            }
        }
    }

    private static String resolveLocalEndpoint(final String bind, final Subscription subscription)
    {
        if (0 != Endpoints.port(bind))
        {
            return bind;
        }
        // Port 0: the driver binds a free port; it is published through the subscription's address counter.
        final long deadlineNs = System.nanoTime() + LOCAL_ENDPOINT_TIMEOUT_NS;
        while (System.nanoTime() - deadlineNs < 0)
        {
            final List<String> addresses = subscription.localSocketAddresses();
            if (!addresses.isEmpty())
            {
                return Endpoints.withPort(bind, Endpoints.port(addresses.get(0)));
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        throw new IllegalStateException("the media driver did not report the port bound for " + bind);
    }
}
