package io.swimlog.benchmarks.membership;

import io.swimlog.membership.MessageCodec;
import io.swimlog.membership.codecs.AliveDecoder;
import io.swimlog.membership.codecs.MessageHeaderDecoder;
import io.swimlog.membership.codecs.PingDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The SBE codecs of the membership protocol: a ping with {@code piggybacked} alive updates (the common datagram
 * while news spreads), encoded into and decoded from a buffer, flyweights only. Run with {@code -prof gc}: both
 * should allocate nothing.
 */
@Fork(value = 1, jvmArgsAppend = { "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED" })
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MembershipCodecBenchmark
{
    @Param({ "0", "3" })
    public int piggybacked;

    private final MessageCodec codec = new MessageCodec();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1300]);
    private final UnsafeBuffer encoded = new UnsafeBuffer(new byte[1300]);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final PingDecoder ping = new PingDecoder();
    private final AliveDecoder alive = new AliveDecoder();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final byte[] targetId = "node-417".getBytes(StandardCharsets.UTF_8);
    private final UnsafeBuffer target = new UnsafeBuffer(targetId);
    private final byte[] sourceId = "node-23".getBytes(StandardCharsets.UTF_8);
    private final byte[] sourceEndpoint = "10.0.0.23:7946".getBytes(StandardCharsets.UTF_8);
    private final byte[][] memberIds = new byte[8][];
    private final byte[][] endpoints = new byte[8][];
    private final byte[] metadata = "role=broker,rack=a".getBytes(StandardCharsets.UTF_8);
    private int encodedLength;

    @Setup
    public void setUp()
    {
        for (int i = 0; i < memberIds.length; i++)
        {
            memberIds[i] = ("node-" + (100 + i)).getBytes(StandardCharsets.UTF_8);
            endpoints[i] = ("10.0.1." + (100 + i) + ":7946").getBytes(StandardCharsets.UTF_8);
        }
        encodedLength = encode(encoded);
    }

    @Benchmark
    public int encodePingWithPiggyback()
    {
        return encode(buffer);
    }

    @Benchmark
    public long decodePingWithPiggyback()
    {
        header.wrap(encoded, 0);
        ping.wrapAndApplyHeader(encoded, 0, header);
        long checksum = ping.sequence();
        ping.wrapTargetId(view);
        checksum += view.capacity();
        ping.wrapSourceId(view);
        checksum += view.capacity();
        ping.wrapSourceEndpoint(view);
        checksum += view.capacity();
        int position = ping.limit();
        while (position < encodedLength)
        {
            header.wrap(encoded, position);
            alive.wrapAndApplyHeader(encoded, position, header);
            checksum += alive.incarnation();
            alive.wrapMemberId(view);
            checksum += view.getByte(view.capacity() - 1);
            alive.wrapEndpoint(view);
            checksum += view.capacity();
            alive.wrapMetadata(view);
            checksum += view.capacity();
            position = alive.limit();
        }
        return checksum;
    }

    private int encode(final UnsafeBuffer out)
    {
        int length = codec.ping(out, 0, 42, target, 0, targetId.length, sourceId, sourceEndpoint);
        for (int i = 0; i < piggybacked; i++)
        {
            length += codec.alive(out, length, 1_700_000_000L + i, memberIds[i], endpoints[i], metadata);
        }
        return length;
    }
}
