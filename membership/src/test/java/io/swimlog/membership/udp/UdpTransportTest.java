package io.swimlog.membership.udp;

import io.swimlog.membership.Await;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpTransportTest
{
    private final List<UdpTransport> transports = new ArrayList<>();
    private final List<String> received = new ArrayList<>();

    @AfterEach
    void closeAll()
    {
        CloseHelper.closeAll(transports);
    }

    private UdpTransport open(final String bind)
    {
        final UdpTransport transport = UdpTransport.open(bind);
        transports.add(transport);
        return transport;
    }

    private static UnsafeBuffer text(final String s)
    {
        return new UnsafeBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    private void receive(final UdpTransport transport, final int count)
    {
        Await.until(count + " datagrams", 10_000,
            () -> transport.poll((buffer, offset, length) -> received.add(buffer.getStringWithoutLengthUtf8(offset,
                length)), 10),
            () -> received.size() >= count);
    }

    @Test
    void aBoundPortOfZeroIsTheFreePortTakenAndDatagramsGoBothWays()
    {
        final UdpTransport a = open("127.0.0.1:0");
        final UdpTransport b = open("127.0.0.1:0");
        assertThat(a.localEndpoint()).startsWith("127.0.0.1:").isNotEqualTo("127.0.0.1:0");
        assertThat(b.localEndpoint()).isNotEqualTo(a.localEndpoint());

        final UnsafeBuffer ping = text("xxping");
        assertThat(a.send(b.localEndpoint(), ping, 2, 4)).isTrue();
        receive(b, 1);
        assertThat(b.send(a.localEndpoint(), text("ack"), 0, 3)).isTrue();
        receive(a, 2);
        assertThat(received).containsExactly("ping", "ack");
        assertThat(a.poll((buffer, offset, length) -> received.add("more"), 10)).isZero();
    }

    @Test
    void anEndpointThatCannotBeReachedIsALostSendNotAnError()
    {
        final UdpTransport a = open("127.0.0.1:0");
        final UnsafeBuffer datagram = text("hello");
        assertThat(a.send("not-an-endpoint", datagram, 0, 5)).isFalse();
        assertThat(a.send("no-such-host.invalid:7946", datagram, 0, 5)).isFalse();
        assertThat(a.send("127.0.0.1:99999", datagram, 0, 5)).isFalse();
        assertThat(a.send("127.0.0.1:9", new UnsafeBuffer(new byte[UdpTransport.MAX_DATAGRAM_LENGTH + 1]), 0,
            UdpTransport.MAX_DATAGRAM_LENGTH + 1)).isFalse();
    }

    @Test
    void aBadBindIsOneClearError()
    {
        assertThatThrownBy(() -> UdpTransport.open("localhost")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("is not host:port");
        assertThatThrownBy(() -> UdpTransport.open("no-such-host.invalid:7946"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown host");
        final UdpTransport taken = open("127.0.0.1:0");
        assertThatThrownBy(() -> UdpTransport.open(taken.localEndpoint())).isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining("cannot bind UDP " + taken.localEndpoint());
    }

    @Test
    void sendingAndReceivingFromAKnownPeerAllocateNothing()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
            "needs com.sun.management.ThreadMXBean to count allocated bytes");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        final UdpTransport a = open("127.0.0.1:0");
        final UdpTransport b = open("127.0.0.1:0");
        final UnsafeBuffer datagram = new UnsafeBuffer(new byte[1400]);
        final String to = b.localEndpoint();
        final long[] bytes = new long[1];
        final io.swimlog.membership.Transport.DatagramHandler handler = (buffer, offset, length) -> bytes[0] += length;

        for (int i = 0; i < 20_000; i++) // warm up: JIT, the address cache, the channel's sender-address cache
        {
            a.send(to, datagram, 0, datagram.capacity());
            b.poll(handler, 10);
        }
        final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 1_000; i++)
        {
            a.send(to, datagram, 0, datagram.capacity());
        }
        final long sendAllocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        bytes[0] = 0;
        final long beforePoll = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 1_000 && bytes[0] < 1_000L * datagram.capacity(); i++)
        {
            b.poll(handler, 10);
        }
        final long pollAllocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - beforePoll;

        assertThat(sendAllocated).as("bytes allocated by 1,000 sends").isLessThan(1_000);
        assertThat(bytes[0]).as("bytes received").isPositive();
        assertThat(pollAllocated).as("bytes allocated receiving %d bytes from one peer", bytes[0]).isLessThan(1_000);
    }
}
