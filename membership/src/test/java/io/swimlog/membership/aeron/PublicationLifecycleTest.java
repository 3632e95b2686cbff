package io.swimlog.membership.aeron;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.driver.Configuration;
import io.aeron.driver.MediaDriver;
import io.swimlog.membership.Await;
import io.swimlog.membership.Transport;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What keeps a member's wire traffic low and flat in the cluster's size: a peer's publication is closed a set
 * time after the last datagram sent to it (checked against a clock the test moves, not against wall time), and
 * the transport's own driver runs with the membership settings while a shared client's driver is left alone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PublicationLifecycleTest
{
    private static final long IDLE_NS = TimeUnit.MILLISECONDS.toNanos(400);
    /** The transport checks for idle publications four times per idle timeout. */
    private static final long CHECK_NS = IDLE_NS / 4;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<String> received = new ArrayList<>();
    private final Transport.DatagramHandler recorder = (buffer, offset, length) ->
        received.add(buffer.getStringWithoutLengthAscii(offset, length));
    private final CachedNanoClock clock = new CachedNanoClock();

    @AfterEach
    void closeAll()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
    }

    @Test
    void aPublicationIsClosedOnceTheIdleTimeoutHasPassedSinceTheLastSend()
    {
        final AeronTransport a = launch(context().nanoClock(clock).publicationIdleTimeoutNs(IDLE_NS));
        final AeronTransport b = launch(context());
        final long start = TimeUnit.SECONDS.toNanos(100);
        clock.update(start);
        a.poll(recorder, 10);

        assertThat(a.send(b.localEndpoint(), ascii("one"), 0, 3)).isTrue();
        Await.until("the first datagram arrives", 10_000, () -> pollBoth(a, b), () -> received.size() == 1);

        // A second send half way through the idle time: the timeout counts from the last send, not the first.
        clock.update(start + IDLE_NS / 2);
        a.poll(recorder, 10);
        assertThat(a.send(b.localEndpoint(), ascii("two"), 0, 3)).isTrue();
        final long lastSend = start + IDLE_NS / 2;
        Await.until("the second datagram arrives", 10_000, () -> pollBoth(a, b), () -> received.size() == 2);

        clock.update(lastSend + IDLE_NS - 1);
        pollBoth(a, b);
        assertThat(a.peerCount()).as("open until the idle timeout has passed").isEqualTo(1);
        assertThat(a.counters().publicationsClosed()).isZero();

        clock.update(lastSend + IDLE_NS - 1 + CHECK_NS);
        pollBoth(a, b);
        assertThat(a.peerCount()).as("closed by the first check after the idle timeout").isZero();
        assertThat(a.counters().publicationsClosed()).isEqualTo(1);

        assertThat(a.send(b.localEndpoint(), ascii("three"), 0, 5)).isTrue();
        Await.until("a datagram through a fresh publication arrives", 10_000, () -> pollBoth(a, b),
            () -> received.size() == 3);
        assertThat(received).containsExactly("one", "two", "three");
        assertThat(a.counters().publicationsOpened()).isEqualTo(2);
        assertThat(a.counters().datagramsSent()).isEqualTo(3);
        assertThat(b.counters().datagramsReceived()).isEqualTo(3);
        assertThat(a.counters().expiredPending()).isZero();
        assertThat(errors).isEmpty();
    }

    @Test
    void aPublicationStillConnectingIsNotClosedForIdleness() throws SocketException
    {
        final AeronTransport a = launch(context().nanoClock(clock).publicationIdleTimeoutNs(IDLE_NS)
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(30)));
        // Nobody listens on this port, so the publication never connects and the datagram stays queued.
        final String silentPeer = "127.0.0.1:" + freeUdpPort();

        clock.update(TimeUnit.SECONDS.toNanos(1));
        a.poll(recorder, 10);
        assertThat(a.send(silentPeer, ascii("hello"), 0, 5)).isTrue();

        clock.update(TimeUnit.SECONDS.toNanos(1) + 10 * IDLE_NS);
        a.poll(recorder, 10);
        assertThat(a.peerCount()).as("a queued datagram keeps its publication").isEqualTo(1);
        assertThat(a.counters().publicationsClosed()).isZero();
    }

    @Test
    void theTransportsOwnDriverRunsWithTheMembershipSettings()
    {
        final AeronTransport a = launch(context()
            .statusMessageTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300))
            .timerIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
            .publicationConnectionTimeoutNs(TimeUnit.SECONDS.toNanos(8))
            .imageLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(4)));

        final MediaDriver.Context driver = a.embeddedDriver().driverContext();
        assertThat(driver.statusMessageTimeoutNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        assertThat(driver.timerIntervalNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(driver.publicationConnectionTimeoutNs()).isEqualTo(TimeUnit.SECONDS.toNanos(8));
        assertThat(driver.imageLivenessTimeoutNs()).isEqualTo(TimeUnit.SECONDS.toNanos(4));
        assertThat(driver.asyncExecutorEnabled()).as("no executor thread by default").isFalse();
        assertThat(a.aeron().conductorAgentInvoker()).as("the client's conductor runs in poll").isNotNull();
    }

    @Test
    void theDefaultsKeepLivenessWellAboveTheKeepAliveIntervals()
    {
        final AeronTransportContext ctx = context().conclude();

        assertThat(ctx.connectTimeoutNs()).isGreaterThanOrEqualTo(
            AeronTransportContext.MIN_STATUS_MESSAGES_PER_CONNECT_TIMEOUT * ctx.statusMessageTimeoutNs());
        assertThat(ctx.timerIntervalNs()).isLessThan(Configuration.DEFAULT_TIMER_INTERVAL_NS);
        assertThat(ctx.publicationConnectionTimeoutNs()).isGreaterThanOrEqualTo(
            AeronTransportContext.MIN_STATUS_MESSAGES_PER_CONNECTION_TIMEOUT * ctx.statusMessageTimeoutNs());
        assertThat(ctx.imageLivenessTimeoutNs()).isGreaterThanOrEqualTo(
            AeronTransportContext.MIN_HEARTBEATS_PER_IMAGE_LIVENESS_TIMEOUT *
            Configuration.PUBLICATION_HEARTBEAT_TIMEOUT_NS);
        assertThat(ctx.publicationLingerNs()).isGreaterThan(Configuration.PUBLICATION_HEARTBEAT_TIMEOUT_NS);
        // Longer than a probe interval, so a slow peer's publication stays open between the exchanges of a round.
        assertThat(ctx.publicationIdleTimeoutNs()).isGreaterThan(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void aSharedClientsDriverIsLeftAsItWas()
    {
        final EmbeddedMediaDriver shared = EmbeddedMediaDriver.launch("lifecycle-shared", errors::add);
        closeables.add(shared);
        final AeronTransport a = launch(context().aeron(shared.aeron()));

        assertThat(a.embeddedDriver()).isNull();
        assertThat(shared.aeron().conductorAgentInvoker()).as("a shared client keeps its thread").isNull();
        assertThat(shared.driverContext().statusMessageTimeoutNs())
            .isEqualTo(Configuration.statusMessageTimeoutNs());
        assertThat(shared.driverContext().timerIntervalNs()).isEqualTo(Configuration.timerIntervalNs());
    }

    @Test
    void peerPublicationsCarryTheirLingerOnTheChannel()
    {
        final AeronTransportContext ctx = context().publicationLingerNs(TimeUnit.MILLISECONDS.toNanos(300)).conclude();
        final ChannelUri uri = ChannelUri.parse("aeron:udp?endpoint=127.0.0.1:7000" + ctx.publicationChannelSuffix());

        assertThat(uri.get(CommonContext.LINGER_PARAM_NAME))
            .isEqualTo(Long.toString(TimeUnit.MILLISECONDS.toNanos(300)));
        assertThat(uri.get(CommonContext.TERM_LENGTH_PARAM_NAME)).isEqualTo(Integer.toString(ctx.termLength()));
        assertThat(uri.get(CommonContext.MTU_LENGTH_PARAM_NAME)).isEqualTo(Integer.toString(ctx.mtuLength()));
    }

    @Test
    void settingsThatWouldLetKeepAlivesOutrunLivenessAreRefused()
    {
        assertThatThrownBy(() -> context()
            .statusMessageTimeoutNs(TimeUnit.MILLISECONDS.toNanos(400))
            .publicationConnectionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1_000))
            .conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("publicationConnectionTimeoutNs");
        assertThatThrownBy(() -> context().imageLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("imageLivenessTimeoutNs");
        assertThatThrownBy(() -> context().timerIntervalNs(0).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> context().publicationLingerNs(-1).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("publicationLingerNs");
    }

    private static int freeUdpPort() throws SocketException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private AeronTransportContext context()
    {
        return new AeronTransportContext().bind("127.0.0.1:0").errorHandler(errors::add);
    }

    private AeronTransport launch(final AeronTransportContext ctx)
    {
        final AeronTransport transport = AeronTransport.launch(ctx);
        closeables.add(transport);
        return transport;
    }

    private void pollBoth(final AeronTransport a, final AeronTransport b)
    {
        a.poll(recorder, 10);
        b.poll(recorder, 10);
    }

    private static DirectBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }
}
