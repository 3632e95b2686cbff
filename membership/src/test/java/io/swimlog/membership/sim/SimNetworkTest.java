package io.swimlog.membership.sim;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulated network's datagram storage: bytes are kept at their real length in recycled chunks, so what is
 * delivered must be exactly what was sent, whatever the length and however much is in flight at once.
 */
@Timeout(30)
class SimNetworkTest
{
    private static final String[] ENDPOINTS = { "10.0.0.1:7946", "10.0.0.2:7946", "10.0.0.3:7946" };

    /** Collects deliveries as copies. */
    private static final class Recorder implements SimNetwork.Handler
    {
        final List<byte[]> received = new ArrayList<>();
        final List<Integer> nodes = new ArrayList<>();

        public void onDatagram(final int node, final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            received.add(copy);
            nodes.add(node);
        }

        public void onTimer(final int node, final int generation)
        {
        }
    }

    private static SimNetwork network()
    {
        final SimNetwork network = new SimNetwork(7).delay(1_000_000, 0);
        for (int i = 0; i < ENDPOINTS.length; i++)
        {
            network.attach(i, ENDPOINTS[i]);
            network.up(i, true);
        }
        return network;
    }

    private static byte[] pattern(final int length, final int salt)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + salt * 7 + (i >>> 8));
        }
        return bytes;
    }

    @Test
    void deliversDatagramsOfEveryLengthByteForByteWhileStorageGrows()
    {
        final SimNetwork network = network();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SimNetwork.MAX_DATAGRAM_LENGTH + 16]);
        final List<byte[]> sent = new ArrayList<>();
        // Every length from 0 to the maximum, three times over, all in flight at once: about 6 MB, many chunks.
        for (int round = 0; round < 3; round++)
        {
            for (int length = 0; length <= SimNetwork.MAX_DATAGRAM_LENGTH; length++)
            {
                final byte[] bytes = pattern(length, round);
                buffer.putBytes(5, bytes);
                assertThat(network.send(0, ENDPOINTS[1 + (length & 1)], buffer, 5, length)).isTrue();
                sent.add(bytes);
            }
        }
        final long total = sent.stream().mapToLong(b -> b.length).sum();
        assertThat(network.bytesInFlight()).isEqualTo(total);
        assertThat(network.storageBytes())
            .isGreaterThanOrEqualTo(total).isLessThan(total + 2L * SimNetwork.CHUNK_LENGTH);

        final Recorder recorder = new Recorder();
        network.runUntil(10_000_000, recorder);
        assertThat(recorder.received).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++)
        {
            assertThat(recorder.received.get(i)).as("datagram %d", i).isEqualTo(sent.get(i));
            assertThat(recorder.nodes.get(i)).isEqualTo(1 + (sent.get(i).length & 1));
        }
        assertThat(network.bytesInFlight()).isZero();
        assertThat(network.peakBytesInFlight()).isEqualTo(total);
    }

    @Test
    void recyclesStorageSoSteadyTrafficDoesNotGrowIt()
    {
        final SimNetwork network = network();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SimNetwork.MAX_DATAGRAM_LENGTH]);
        final Recorder recorder = new Recorder();
        long totalSent = 0;
        for (int round = 0; round < 50; round++)
        {
            // 400 datagrams of up to 1,400 bytes in flight per round, delivered before the next round.
            for (int i = 0; i < 400; i++)
            {
                final int length = (round * 400 + i) % 1400;
                final byte[] bytes = pattern(length, round + i);
                buffer.putBytes(0, bytes);
                network.send(0, ENDPOINTS[2], buffer, 0, length);
                totalSent += length;
            }
            network.runUntil(network.nowNs() + 5_000_000, recorder);
            assertThat(recorder.received).hasSize(400);
            recorder.received.clear();
            assertThat(network.bytesInFlight()).isZero();
        }
        // About 280 KB in flight at once: at most three chunks, though over 20 times that went through.
        assertThat(network.storageBytes()).isLessThanOrEqualTo(3L * SimNetwork.CHUNK_LENGTH);
        assertThat(totalSent).isGreaterThan(20L * network.storageBytes());
    }

    @Test
    void datagramsToANodeThatIsDownAreDroppedAndTheirSpaceFreed()
    {
        final SimNetwork network = network();
        final UnsafeBuffer buffer = new UnsafeBuffer(pattern(1000, 1));
        network.send(0, ENDPOINTS[1], buffer, 0, 1000);
        network.send(0, ENDPOINTS[2], buffer, 0, 1000);
        network.up(2, false);
        final Recorder recorder = new Recorder();
        network.runUntil(5_000_000, recorder);
        assertThat(recorder.received).hasSize(1);
        assertThat(recorder.nodes).containsExactly(1);
        assertThat(network.dropped()).isEqualTo(1);
        assertThat(network.bytesInFlight()).isZero();
    }

    @Test
    void dropsADatagramLargerThanTheMaximum()
    {
        final SimNetwork network = network();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SimNetwork.MAX_DATAGRAM_LENGTH + 1]);
        assertThat(network.send(0, ENDPOINTS[1], buffer, 0, SimNetwork.MAX_DATAGRAM_LENGTH + 1)).isFalse();
        assertThat(network.dropped()).isEqualTo(1);
        assertThat(network.bytesInFlight()).isZero();
    }
}
