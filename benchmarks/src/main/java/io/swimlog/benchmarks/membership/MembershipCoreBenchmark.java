package io.swimlog.benchmarks.membership;

import io.swimlog.membership.MembershipContext;
import io.swimlog.membership.MembershipCore;
import io.swimlog.membership.MembershipCounters;
import io.swimlog.membership.MessageCodec;
import io.swimlog.membership.PacketEnvelope;
import io.swimlog.membership.Transport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The protocol core's message handling, through the whole receive path: open the envelope, check the SBE header,
 * decode, apply the state rules, and for a ping encode and seal the ack and hand it to the transport (a null
 * transport here). The member knows 100 others. Run with {@code -prof gc}: steady state should allocate nothing.
 * <ul>
 * <li>{@code handlePing}: a ping from a known member; answered with an ack.</li>
 * <li>{@code handlePingWithPiggyback}: the same ping carrying three alive updates that are already known (the
 *     usual case while news spreads: most piggybacked updates are stale for most receivers).</li>
 * <li>{@code handleAck}: an ack that matches no probe in flight.</li>
 * </ul>
 */
@Fork(value = 1, jvmArgsAppend = { "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED" })
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MembershipCoreBenchmark
{
    private static final int MEMBERS = 100;

    private MembershipCore core;
    private final UnsafeBuffer ping = new UnsafeBuffer(new byte[1300]);
    private final UnsafeBuffer pingWithPiggyback = new UnsafeBuffer(new byte[1300]);
    private final UnsafeBuffer ack = new UnsafeBuffer(new byte[1300]);
    private int pingLength;
    private int pingWithPiggybackLength;
    private int ackLength;
    private long sent;

    @Setup
    public void setUp()
    {
        final Transport transport = new Transport()
        {
            public boolean send(final String endpoint, final DirectBuffer buffer, final int offset, final int length)
            {
                sent += length;
                return true;
            }

            public int poll(final DatagramHandler handler, final int limit)
            {
                return 0;
            }

            public String localEndpoint()
            {
                return "10.0.0.1:7946";
            }

            public void close()
            {
            }
        };
        final MembershipContext ctx = new MembershipContext()
            .memberId("node-1")
            .bind("10.0.0.1:7946")
            .transport(transport)
            .initialIncarnation(1)
            .randomSeed(1)
            .conclude();
        final PacketEnvelope envelope = new PacketEnvelope(ctx.clusterName(), null);
        core = new MembershipCore(ctx, envelope, new MembershipCounters(), (type, id, incarnation, nowNs) -> {});
        core.start(0);

        final MessageCodec codec = new MessageCodec();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[1300]);
        final byte[] metadata = "role=broker".getBytes(StandardCharsets.UTF_8);
        for (int i = 2; i < MEMBERS + 2; i++)
        {
            final int length = codec.alive(payload, 0, 5, utf8("node-" + i), utf8("10.0.0." + i + ":7946"), metadata);
            deliver(envelope, payload, length);
        }

        final byte[] self = utf8("node-1");
        int length = codec.ping(payload, 0, 7, new UnsafeBuffer(self), 0, self.length, utf8("node-2"),
            utf8("10.0.0.2:7946"));
        pingLength = envelope.seal(payload, 0, length, ping, 0);
        for (int i = 3; i < 6; i++)
        {
            length += codec.alive(payload, length, 5, utf8("node-" + i), utf8("10.0.0." + i + ":7946"), metadata);
        }
        pingWithPiggybackLength = envelope.seal(payload, 0, length, pingWithPiggyback, 0);
        length = codec.ack(payload, 0, 99, false);
        ackLength = envelope.seal(payload, 0, length, ack, 0);

        // Drain the queued news of the setup so that the measured acks carry no piggyback.
        for (int i = 0; i < 10_000; i++)
        {
            core.onDatagram(ping, 0, pingLength);
        }
    }

    @Benchmark
    public long handlePing()
    {
        core.onDatagram(ping, 0, pingLength);
        return sent;
    }

    @Benchmark
    public long handlePingWithPiggyback()
    {
        core.onDatagram(pingWithPiggyback, 0, pingWithPiggybackLength);
        return sent;
    }

    @Benchmark
    public long handleAck()
    {
        core.onDatagram(ack, 0, ackLength);
        return sent;
    }

    private void deliver(final PacketEnvelope envelope, final UnsafeBuffer payload, final int length)
    {
        final UnsafeBuffer sealed = new UnsafeBuffer(new byte[1400]);
        final int sealedLength = envelope.seal(payload, 0, length, sealed, 0);
        core.onDatagram(sealed, 0, sealedLength);
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
