package io.swimlog.membership.aeron;

import io.aeron.ExclusivePublication;
import io.swimlog.membership.Await;
import io.swimlog.membership.Transport;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronTransportTest
{
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<String> received = new ArrayList<>();
    private final Transport.DatagramHandler recorder = (buffer, offset, length) ->
        received.add(buffer.getStringWithoutLengthAscii(offset, length));

    @AfterEach
    void closeAll()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
    }

    @Test
    void firstDatagramToANewPeerArrivesOnceItsPublicationConnects()
    {
        final AeronTransport a = launch(context());
        final AeronTransport b = launch(context());

        assertThat(a.send(b.localEndpoint(), ascii("ping"), 0, 4)).isTrue();
        Await.until("b receives the first datagram", 10_000, () -> pollBoth(a, b), () -> received.size() == 1);

        assertThat(received).containsExactly("ping");
        assertThat(a.counters().publicationsOpened()).isEqualTo(1);
        assertThat(a.counters().expiredPending()).isZero();
        assertThat(errors).isEmpty();
    }

    @Test
    void datagramsFlowBothWaysInOrderOnceConnected()
    {
        final AeronTransport a = launch(context());
        final AeronTransport b = launch(context());
        final List<String> receivedByA = new ArrayList<>();

        for (int i = 0; i < 5; i++)
        {
            assertThat(a.send(b.localEndpoint(), ascii("a" + i), 0, 2)).isTrue();
            assertThat(b.send(a.localEndpoint(), ascii("b" + i), 0, 2)).isTrue();
        }
        Await.until("both sides receive five datagrams", 10_000,
            () ->
            {
                a.poll((buffer, offset, length) ->
                    receivedByA.add(buffer.getStringWithoutLengthAscii(offset, length)), 10);
                b.poll(recorder, 10);
            },
            () -> received.size() == 5 && receivedByA.size() == 5);

        assertThat(received).containsExactly("a0", "a1", "a2", "a3", "a4");
        assertThat(receivedByA).containsExactly("b0", "b1", "b2", "b3", "b4");
    }

    @Test
    void datagramLongerThanOneFrameIsRefusedAndCounted()
    {
        final AeronTransport a = launch(context());
        final AeronTransport b = launch(context());
        final int max = a.maxDatagramLength();
        final UnsafeBuffer big = new UnsafeBuffer(new byte[max + 1]);

        assertThat(max).isEqualTo(AeronTransportContext.MTU_LENGTH_DEFAULT - 32);
        assertThat(a.send(b.localEndpoint(), big, 0, max + 1)).isFalse();
        assertThat(a.counters().oversizeSends()).isEqualTo(1);
        assertThat(a.peerCount()).isZero();

        assertThat(a.send(b.localEndpoint(), big, 0, max)).isTrue();
        Await.until("the largest datagram arrives whole", 10_000, () -> pollBoth(a, b), () -> received.size() == 1);
        assertThat(received.get(0)).hasSize(max);
    }

    @Test
    void idlePublicationIsClosedAndReopenedOnTheNextSend()
    {
        final AeronTransport a = launch(context().publicationIdleTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200)));
        final AeronTransport b = launch(context());

        assertThat(a.send(b.localEndpoint(), ascii("one"), 0, 3)).isTrue();
        Await.until("the first datagram arrives", 10_000, () -> pollBoth(a, b), () -> received.size() == 1);
        Await.until("the idle publication is closed", 10_000, () -> pollBoth(a, b), () -> a.peerCount() == 0);
        assertThat(a.counters().publicationsClosed()).isEqualTo(1);

        assertThat(a.send(b.localEndpoint(), ascii("two"), 0, 3)).isTrue();
        Await.until("a datagram after reopening arrives", 10_000, () -> pollBoth(a, b), () -> received.size() == 2);
        assertThat(received).containsExactly("one", "two");
        assertThat(a.counters().publicationsOpened()).isEqualTo(2);
    }

    @Test
    void sendToAnUnknownHostFailsWithoutThrowing()
    {
        final AeronTransport a = launch(context());
        final String nowhere = "no-such-host.invalid:7946";

        // The driver resolves the host asynchronously: the first datagram waits in the queue until it answers.
        assertThat(a.send(nowhere, ascii("x"), 0, 1)).isTrue();
        Await.until("the driver refuses the unknown host", 10_000, () -> a.poll(recorder, 10), () -> !errors.isEmpty());

        assertThat(a.send(nowhere, ascii("x"), 0, 1)).isFalse();
        assertThat(a.send(nowhere, ascii("x"), 0, 1)).isFalse();
        assertThat(a.counters().unreachableSends()).isEqualTo(2);
        assertThat(a.counters().expiredPending()).isEqualTo(1);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).hasMessageContaining(nowhere);
    }

    @Test
    void sendToAMalformedEndpointFailsWithoutThrowing()
    {
        final AeronTransport a = launch(context());

        a.send("not an endpoint", ascii("x"), 0, 1);
        Await.until("the malformed endpoint is refused", 10_000, () -> a.poll(recorder, 10), () -> !errors.isEmpty());

        assertThat(a.send("not an endpoint", ascii("x"), 0, 1)).isFalse();
        assertThat(a.counters().unreachableSends()).isEqualTo(1);
    }

    @Test
    void aFullConnectQueueRefusesFurtherDatagrams()
    {
        final AeronTransport a = launch(context().pendingDatagrams(2));
        final String nowhere = "no-such-host.invalid:7946";

        assertThat(a.send(nowhere, ascii("1"), 0, 1)).isTrue();
        assertThat(a.send(nowhere, ascii("2"), 0, 1)).isTrue();
        assertThat(a.send(nowhere, ascii("3"), 0, 1)).isFalse();
        assertThat(a.counters().expiredPending()).isEqualTo(1);
    }

    @Test
    void datagramsToAPeerThatIsDownAreDroppedAfterTheConnectTimeout()
    {
        final AeronTransport a = launch(context().connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100)));
        final AeronTransport b = launch(context());
        final String downEndpoint = b.localEndpoint();
        b.close();

        assertThat(a.send(downEndpoint, ascii("lost"), 0, 4)).isTrue();
        Await.until("the queued datagram expires", 10_000, () -> a.poll(recorder, 10),
            () -> a.counters().expiredPending() == 1);
        Await.until("sends fail once the connect window has passed", 10_000, () -> a.poll(recorder, 10),
            () -> !a.send(downEndpoint, ascii("lost"), 0, 4));
        assertThat(received).isEmpty();
    }

    @Test
    void fragmentsOfAMessageLongerThanOneFrameAreDroppedAndCounted()
    {
        final AeronTransport b = launch(context());
        final ExclusivePublication raw = b.aeron().addExclusivePublication(
            "aeron:udp?endpoint=" + b.localEndpoint() + "|mtu=1408", AeronTransport.MEMBERSHIP_STREAM_ID);
        closeables.add(raw);
        final UnsafeBuffer big = new UnsafeBuffer(new byte[3000]);

        Await.until("the raw publication connects", 10_000, () -> b.poll(recorder, 10), raw::isConnected);
        assertThat(raw.offer(big, 0, big.capacity())).isPositive();
        Await.until("all fragments are counted", 10_000, () -> b.poll(recorder, 10),
            () -> b.counters().fragmentedReceives() == 3);
        assertThat(received).isEmpty();
    }

    @Test
    void transportsShareOneClientEachOnItsOwnPort()
    {
        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch("shared-test", errors::add);
        closeables.add(driver);
        final AeronTransport a = launch(context().aeron(driver.aeron()));
        final AeronTransport b = launch(context().aeron(driver.aeron()));

        assertThat(a.localEndpoint()).isNotEqualTo(b.localEndpoint());
        assertThat(a.send(b.localEndpoint(), ascii("hi"), 0, 2)).isTrue();
        Await.until("b receives through the shared driver", 10_000, () -> pollBoth(a, b), () -> received.size() == 1);

        a.close();
        b.close();
        assertThat(driver.aeron().isClosed()).isFalse();
    }

    @Test
    void lossOfTheAeronClientIsReportedOnceAndSendsFailWithoutThrowing()
    {
        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch("lost-client-test", errors::add);
        closeables.add(driver);
        final AeronTransport a = launch(context().aeron(driver.aeron()));
        final AeronTransport b = launch(context());
        assertThat(a.send(b.localEndpoint(), ascii("before"), 0, 6)).isTrue();

        driver.aeron().close();

        assertThat(a.poll(recorder, 10)).isZero();
        assertThat(a.poll(recorder, 10)).isZero();
        assertThat(a.send(b.localEndpoint(), ascii("after"), 0, 5)).isFalse();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).hasMessageContaining("can no longer send or receive");
    }

    @Test
    void bindingAPortInUseFailsWithAClearMessage()
    {
        final AeronTransport a = launch(context());

        assertThatThrownBy(() -> launch(context().bind(a.localEndpoint())))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("cannot listen on " + a.localEndpoint());
    }

    @Test
    void contextRejectsAnEndpointThatIsNotHostPort()
    {
        assertThatThrownBy(() -> new AeronTransportContext().bind("7000").conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not host:port");
        assertThatThrownBy(() -> new AeronTransportContext().bind("localhost:99999").conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> new AeronTransportContext().bind("localhost:7000").mtuLength(1000).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mtuLength");
    }

    @Test
    void sendAndPollAllocateNothingInSteadyState()
    {
        final AeronTransport a = launch(context());
        final AeronTransport b = launch(context());
        final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
        final int[] count = new int[1];
        final Transport.DatagramHandler counter = (buffer, offset, length) -> count[0]++;
        final String endpoint = b.localEndpoint();

        Await.until("a warm connection", 10_000, () ->
        {
            a.send(endpoint, message, 0, message.capacity());
            a.poll(counter, 10);
            b.poll(counter, 10);
        }, () -> count[0] > 1_000);

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();

        // The JIT allocates on this thread while it settles (deoptimisation materialises objects); steady state
        // is reached when several rounds in a row allocate nothing. A per-send allocation never gets there.
        int zeroRounds = 0;
        for (int round = 0; round < 60 && zeroRounds < 3; round++)
        {
            final long before = threads.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < 10_000; i++)
            {
                a.send(endpoint, message, 0, message.capacity());
                a.poll(counter, 10);
                b.poll(counter, 10);
            }
            zeroRounds = threads.getThreadAllocatedBytes(threadId) == before ? zeroRounds + 1 : 0;
        }

        assertThat(zeroRounds).as("consecutive rounds of 10,000 send/poll cycles without allocation").isEqualTo(3);
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
