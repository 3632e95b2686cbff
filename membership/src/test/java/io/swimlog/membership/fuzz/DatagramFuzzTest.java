package io.swimlog.membership.fuzz;

import io.swimlog.membership.Member;
import io.swimlog.membership.MembershipContext;
import io.swimlog.membership.MembershipCore;
import io.swimlog.membership.MembershipCounters;
import io.swimlog.membership.MembershipCounters.Counter;
import io.swimlog.membership.MessageCodec;
import io.swimlog.membership.PacketEnvelope;
import io.swimlog.membership.codecs.AckDecoder;
import io.swimlog.membership.codecs.AliveDecoder;
import io.swimlog.membership.codecs.DeadDecoder;
import io.swimlog.membership.codecs.IndirectPingDecoder;
import io.swimlog.membership.codecs.MemberStateCode;
import io.swimlog.membership.codecs.MessageHeaderDecoder;
import io.swimlog.membership.codecs.PushPullDecoder;
import io.swimlog.membership.codecs.NackDecoder;
import io.swimlog.membership.codecs.PingDecoder;
import io.swimlog.membership.codecs.SuspectDecoder;
import io.swimlog.membership.codecs.UserBroadcastDecoder;
import io.swimlog.membership.sim.Simulation;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static io.swimlog.membership.sim.Simulation.MILLIS;
import static io.swimlog.membership.sim.Simulation.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes every decoder a member runs on what it receives ({@link PacketEnvelope#open} and each message of the
 * SBE schema, through {@link MembershipCore#onDatagram}) with random bytes, random payloads in a valid envelope,
 * and valid messages of every type mutated (bits flipped, length fields overwritten, truncated, extended), both
 * before sealing (to reach the message decoders) and after (to reach the envelope's).
 * <p>
 * The properties: no exception escapes; and a datagram the member rejects (a rejected counter rises) leaves its
 * view, its incarnation, its health score and every counter other than the receive and reject counters as they
 * were. The second holds for datagrams whose first message is the whole payload or is not a message at all, as
 * SBE frames it; a valid message followed by junk is applied and the junk dropped, by design.
 * <p>
 * {@code mvn verify} runs jqwik's default number of tries per property; run longer with, for example,
 * {@code -Djqwik.tries.default=200000}. A failure prints jqwik's seed, which replays it.
 */
class DatagramFuzzTest
{
    private static final String[] KNOWN_IDS = { "node-0", "node-1", "node-2", "node-3", "node-4" };
    private static final byte[] CLUSTER = MembershipContext.DEFAULT_CLUSTER_NAME.getBytes(StandardCharsets.US_ASCII);

    private final MessageCodec codec = new MessageCodec();
    private final PacketEnvelope sealer = new PacketEnvelope(MembershipContext.DEFAULT_CLUSTER_NAME, null);
    private Simulation sim;
    private MembershipCore core;
    /** Strict rejected datagrams checked by the first property; -1 for the other property. */
    private long checkedRejections = -1;

    @BeforeProperty
    void convergedCluster()
    {
        sim = new Simulation(23, null);
        sim.startCluster(KNOWN_IDS.length, SECONDS);
        assertThat(sim.runUntil(sim::viewsConverged, 30 * SECONDS, 100 * MILLIS)).as("converged %s", sim).isTrue();
        core = sim.core(0);
    }

    @Property
    void mutatedAndRandomDatagramsNeverEscapeAndRejectedOnesChangeNothing(@ForAll("datagrams") final Datagram datagram)
    {
        checkedRejections = Math.max(checkedRejections, 0);
        final String before = state(core);
        final long rejectedBefore = core.counters().rejected();

        core.onDatagram(new UnsafeBuffer(datagram.bytes), 0, datagram.bytes.length);

        if (core.counters().rejected() > rejectedBefore && datagram.strict)
        {
            checkedRejections++;
            assertThat(state(core)).as("state after rejected %s", datagram).isEqualTo(before);
        }
    }

    @Property
    void theMemberStillAnswersPingsAfterEachDatagram(@ForAll("datagrams") final Datagram datagram)
    {
        core.onDatagram(new UnsafeBuffer(datagram.bytes), 0, datagram.bytes.length);
        sim.runFor(100 * MILLIS);

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        final byte[] self = KNOWN_IDS[0].getBytes(StandardCharsets.UTF_8);
        final int length = codec.ping(buffer, 0, 42, new UnsafeBuffer(self), 0, self.length,
            KNOWN_IDS[1].getBytes(StandardCharsets.UTF_8), "10.0.0.1:7946".getBytes(StandardCharsets.UTF_8));
        final byte[] ping = seal(Arrays.copyOf(buffer.byteArray(), length));
        final long sentBefore = core.counters().messagesOut();
        core.onDatagram(new UnsafeBuffer(ping), 0, ping.length);
        assertThat(core.counters().messagesOut()).as("an ack sent for a valid ping after %s", datagram)
            .isGreaterThan(sentBefore);
    }

    @Example
    void aRejectedPushPullChunkChangesNothing()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        codec.pushPullBegin(buffer, 0, true, false, 0, 2);
        codec.pushPullMember(1, MemberStateCode.ALIVE, "intruder".getBytes(StandardCharsets.UTF_8),
            "10.9.9.9:7946".getBytes(StandardCharsets.UTF_8), new byte[0]);
        codec.pushPullMember(1, MemberStateCode.ALIVE, new byte[0], "10.9.9.8:7946".getBytes(StandardCharsets.UTF_8),
            new byte[0]);
        final int length = codec.pushPullEnd(KNOWN_IDS[1].getBytes(StandardCharsets.UTF_8),
            "10.0.0.1:7946".getBytes(StandardCharsets.UTF_8));
        final byte[] datagram = seal(Arrays.copyOf(buffer.byteArray(), length));
        final String before = state(core);
        final long rejectedBefore = core.counters().rejected();

        core.onDatagram(new UnsafeBuffer(datagram), 0, datagram.length);

        assertThat(core.counters().rejected()).as("the chunk with an empty member id is rejected")
            .isEqualTo(rejectedBefore + 1);
        assertThat(core.member("intruder")).as("member from the rejected chunk").isNull();
        assertThat(state(core)).isEqualTo(before);
    }

    @AfterProperty
    void rejectedInputsWereAmongTheTries()
    {
        // Guards the first property against passing vacuously: rejected strict inputs must have been checked.
        if (checkedRejections >= 0)
        {
            assertThat(checkedRejections).as("strict datagrams rejected and checked").isPositive();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // What is compared before and after a rejected datagram
    // ------------------------------------------------------------------------------------------------------------

    private static String state(final MembershipCore core)
    {
        final StringBuilder sb = new StringBuilder(512);
        final List<Member> members = new ArrayList<>(core.members());
        members.sort((a, b) -> a.id().compareTo(b.id()));
        for (final Member m : members)
        {
            sb.append(m.id()).append('|').append(m.endpoint()).append('|').append(m.incarnation()).append('|')
                .append(m.state()).append('|').append(HexFormat.of().formatHex(m.metadata())).append('\n');
        }
        sb.append("incarnation=").append(core.localIncarnation())
            .append(" health=").append(core.healthScore())
            .append(" known=").append(core.knownMemberCount())
            .append(" live=").append(core.liveMemberCount())
            .append(" viewVersion=").append(core.viewVersion())
            .append(" nextDeadline=").append(core.nextDeadlineNs());
        final MembershipCounters counters = core.counters();
        for (final Counter counter : Counter.values())
        {
            if (counter != Counter.MESSAGES_IN && counter != Counter.BYTES_IN && !counter.name().startsWith("REJECTED_"))
            {
                sb.append(' ').append(counter.jsonName()).append('=').append(counters.get(counter));
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Inputs
    // ------------------------------------------------------------------------------------------------------------

    /** One datagram to deliver; {@code strict}: if rejected, it must have changed nothing. */
    record Datagram(String how, byte[] bytes, boolean strict)
    {
        public String toString()
        {
            return how + " (" + bytes.length + " bytes: " + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 96)) +
                (bytes.length > 96 ? "..." : "") + ")";
        }
    }

    /** A change to a byte array: kind 0 flips a bit, 1 overwrites a little-endian uint16, 2 truncates, 3 appends. */
    record Mutation(int kind, int position, int value, byte[] extra)
    {
        byte[] apply(final byte[] input)
        {
            if (input.length == 0)
            {
                return kind == 3 ? extra.clone() : input;
            }
            final int at = Math.floorMod(position, input.length);
            switch (kind)
            {
                case 0:
                {
                    final byte[] out = input.clone();
                    out[at] ^= (byte)(1 << (value & 7));
                    return out;
                }
                case 1:
                {
                    final byte[] out = input.clone();
                    out[at] = (byte)value;
                    if (at + 1 < out.length)
                    {
                        out[at + 1] = (byte)(value >>> 8);
                    }
                    return out;
                }
                case 2:
                    return Arrays.copyOf(input, at);
                default:
                {
                    final byte[] out = Arrays.copyOf(input, input.length + extra.length);
                    System.arraycopy(extra, 0, out, input.length, extra.length);
                    return out;
                }
            }
        }

        public String toString()
        {
            return switch (kind)
            {
                case 0 -> "flip bit " + (value & 7) + " at " + position;
                case 1 -> "uint16 " + (value & 0xFFFF) + " at " + position;
                case 2 -> "truncate at " + position;
                default -> "append " + extra.length + " bytes";
            };
        }
    }

    @Provide
    Arbitrary<Datagram> datagrams()
    {
        final Arbitrary<Datagram> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(1_400)
            .map(bytes -> new Datagram("random bytes", bytes, true));
        final Arbitrary<Datagram> randomPayload = Arbitraries.bytes().array(byte[].class).ofMaxSize(1_200)
            .map(payload -> datagram("random payload", payload, seal(payload)));
        final Arbitrary<Datagram> mutatedPayload = Combinators.combine(validPayloads(), mutations(), mutations())
            .as((payload, first, second) ->
            {
                final byte[] mutated = second.apply(first.apply(payload));
                return datagram("valid payload, " + first + ", " + second, mutated, seal(mutated));
            });
        final Arbitrary<Datagram> mutatedSealed = Combinators.combine(validPayloads(), mutations())
            .as((payload, mutation) -> new Datagram("sealed, then " + mutation, mutation.apply(seal(payload)), false));
        // Weighted towards mutated valid messages: they are the inputs that get past the envelope and the header.
        return Arbitraries.oneOf(List.of(
            randomBytes, randomPayload, mutatedPayload, mutatedPayload, mutatedPayload, mutatedSealed));
    }

    /**
     * A datagram whose payload is strict when SBE frames its first message as the whole payload, or cannot frame
     * one at all; a mutated-sealed datagram is judged by what its payload turns out to be, so it is not strict.
     */
    private Datagram datagram(final String how, final byte[] payload, final byte[] sealed)
    {
        final int first = firstMessageLength(payload);
        return new Datagram(how, sealed, first < 0 || first == payload.length);
    }

    private Arbitrary<Mutation> mutations()
    {
        return Combinators.combine(
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 1_500),
            Arbitraries.integers().between(0, 0xFFFF),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
            .as(Mutation::new);
    }

    private Arbitrary<byte[]> validPayloads()
    {
        final Arbitrary<byte[]> ids = Arbitraries.oneOf(
            Arbitraries.of(KNOWN_IDS).map(id -> id.getBytes(StandardCharsets.UTF_8)),
            Arbitraries.strings().ofMinLength(0).ofMaxLength(140).map(s -> s.getBytes(StandardCharsets.UTF_8)));
        final Arbitrary<byte[]> endpoints = Arbitraries.oneOf(
            Arbitraries.integers().between(0, 4).map(i -> ("10.0.0." + i + ":7946").getBytes(StandardCharsets.UTF_8)),
            Arbitraries.strings().ofMaxLength(140).map(s -> s.getBytes(StandardCharsets.UTF_8)));
        final Arbitrary<byte[]> metadata = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        final Arbitrary<Long> numbers = Arbitraries.oneOf(
            Arbitraries.longs(), Arbitraries.longs().between(-2, 5), Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE));
        return Combinators.combine(
            Arbitraries.integers().between(0, 8), ids, ids, endpoints, endpoints, metadata, numbers,
            Arbitraries.integers().between(0, 4))
            .as((type, id, otherId, endpoint, otherEndpoint, meta, number, count) ->
                encode(type, id, otherId, endpoint, otherEndpoint, meta, number, count));
    }

    private byte[] encode(
        final int type,
        final byte[] id,
        final byte[] otherId,
        final byte[] endpoint,
        final byte[] otherEndpoint,
        final byte[] metadata,
        final long number,
        final int count)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final UnsafeBuffer other = new UnsafeBuffer(otherId);
        final int length = switch (type)
        {
            case 0 -> codec.ping(buffer, 0, number, other, 0, otherId.length, id, endpoint);
            case 1 -> codec.indirectPing(buffer, 0, number, (count & 1) == 1, otherId, otherEndpoint, id, endpoint);
            case 2 -> codec.ack(buffer, 0, number, (count & 1) == 1);
            case 3 -> codec.nack(buffer, 0, number);
            case 4 -> codec.alive(buffer, 0, number, id, endpoint, metadata);
            case 5 -> codec.suspect(buffer, 0, number, id, other, 0, otherId.length);
            case 6 -> codec.dead(buffer, 0, number, id, other, 0, otherId.length);
            case 7 -> codec.userBroadcast(buffer, 0, number, id, new UnsafeBuffer(metadata), 0, metadata.length);
            default ->
            {
                codec.pushPullBegin(buffer, 0, (count & 1) == 1, (count & 2) == 2, count, count);
                final MemberStateCode[] states = { MemberStateCode.ALIVE, MemberStateCode.SUSPECT,
                    MemberStateCode.DEAD, MemberStateCode.LEFT };
                for (int i = 0; i < count; i++)
                {
                    final byte[] memberId = i == 0 ? id : KNOWN_IDS[i].getBytes(StandardCharsets.UTF_8);
                    codec.pushPullMember(number + i, states[(int)Math.floorMod(number + i, 4L)], memberId,
                        i == 0 ? endpoint : otherEndpoint, metadata);
                }
                yield codec.pushPullEnd(otherId, otherEndpoint);
            }
        };
        return Arrays.copyOf(buffer.byteArray(), length);
    }

    private byte[] seal(final byte[] payload)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[payload.length + PacketEnvelope.MAX_OVERHEAD]);
        final int length = sealer.seal(new UnsafeBuffer(payload), 0, payload.length, out, 0);
        return Arrays.copyOf(out.byteArray(), length);
    }

    /**
     * The length of the first message as SBE frames it (header, block, groups and variable data), or -1 when the
     * payload does not start with a whole message of this schema.
     */
    static int firstMessageLength(final byte[] payload)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        try
        {
            if (payload.length < MessageHeaderDecoder.ENCODED_LENGTH)
            {
                return -1;
            }
            final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
            if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
            {
                return -1;
            }
            final int body = MessageHeaderDecoder.ENCODED_LENGTH;
            final int block = header.blockLength();
            final int version = header.version();
            final int length = switch (header.templateId())
            {
                case PingDecoder.TEMPLATE_ID -> block < PingDecoder.BLOCK_LENGTH ? -1 :
                    new PingDecoder().wrap(buffer, body, block, version).sbeSkip().encodedLength();
                case IndirectPingDecoder.TEMPLATE_ID -> block < IndirectPingDecoder.BLOCK_LENGTH ? -1 :
                    new IndirectPingDecoder().wrap(buffer, body, block, version).sbeSkip().encodedLength();
                case AckDecoder.TEMPLATE_ID -> block < AckDecoder.BLOCK_LENGTH ? -1 :
                    new AckDecoder().wrap(buffer, body, block, version).sbeSkip().encodedLength();
                case NackDecoder.TEMPLATE_ID -> block < NackDecoder.BLOCK_LENGTH ? -1 :
                    new NackDecoder().wrap(buffer, body, block, version).sbeSkip().encodedLength();
                case AliveDecoder.TEMPLATE_ID -> block < AliveDecoder.BLOCK_LENGTH ? -1 :
                    new AliveDecoder().wrap(buffer, body, block, version).sbeSkip().encodedLength();
                case SuspectDecoder.TEMPLATE_ID -> block < SuspectDecoder.BLOCK_LENGTH ? -1 :
                    new SuspectDecoder().wrap(buffer, body, block, version).sbeSkip().encodedLength();
                case DeadDecoder.TEMPLATE_ID -> block < DeadDecoder.BLOCK_LENGTH ? -1 :
                    new DeadDecoder().wrap(buffer, body, block, version).sbeSkip().encodedLength();
                // Version 1 appended selfOnly: a version-0 block (without it) is still a PushPull.
                case PushPullDecoder.TEMPLATE_ID -> block < PushPullDecoder.selfOnlyEncodingOffset() ? -1 :
                    new PushPullDecoder().wrap(buffer, body, block, version).sbeSkip().encodedLength();
                case UserBroadcastDecoder.TEMPLATE_ID -> block < UserBroadcastDecoder.BLOCK_LENGTH ? -1 :
                    new UserBroadcastDecoder().wrap(buffer, body, block, version).sbeSkip().encodedLength();
                default -> -1;
            };
            return length < 0 || body + length > payload.length ? -1 : body + length;
        }
        catch (final IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException ex)
        {
            return -1;
        }
    }
}
