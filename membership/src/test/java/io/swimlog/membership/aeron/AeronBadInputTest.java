package io.swimlog.membership.aeron;

import io.aeron.ExclusivePublication;
import io.swimlog.membership.Await;
import io.swimlog.membership.Keyring;
import io.swimlog.membership.LoopbackMembershipTest;
import io.swimlog.membership.Member;
import io.swimlog.membership.MemberState;
import io.swimlog.membership.Membership;
import io.swimlog.membership.MembershipContext;
import io.swimlog.membership.MembershipCounters;
import io.swimlog.membership.MembershipCounters.Counter;
import io.swimlog.membership.MessageCodec;
import io.swimlog.membership.PacketEnvelope;
import io.swimlog.membership.codecs.MessageHeaderEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile and broken datagrams sent over Aeron into a live member's endpoint by a raw publication of a stranger:
 * each is counted by a {@code rejected_*} counter and dropped, the member keeps running, and its view of the
 * cluster does not change. A control datagram, the same message sealed as the cluster would seal it, is
 * accepted: the rejected ones were refused for the one thing wrong with each, not by accident.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AeronBadInputTest
{
    private static final String CLUSTER = "swimlog-test";
    private static final byte[] KEY = bytes(16, 1);
    private static final byte[] OTHER_KEY = bytes(16, 2);
    private static final Counter[] REJECTED = {
        Counter.REJECTED_MALFORMED, Counter.REJECTED_VERSION, Counter.REJECTED_CLUSTER, Counter.REJECTED_KEY,
        Counter.REJECTED_PLAINTEXT, Counter.REJECTED_ENCRYPTED, Counter.REJECTED_SCHEMA,
        Counter.REJECTED_UNKNOWN_TEMPLATE, Counter.REJECTED_TRUNCATED };

    private final List<Membership> members = new ArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[2048]);
    private final UnsafeBuffer datagram = new UnsafeBuffer(new byte[2048]);
    private final MessageCodec codec = new MessageCodec();
    private EmbeddedMediaDriver stranger;
    private ExclusivePublication publication;

    @AfterEach
    void closeAll()
    {
        CloseHelper.quietClose(publication);
        CloseHelper.quietClose(stranger);
        CloseHelper.quietCloseAll(members);
    }

    @Test
    void plaintextClusterCountsAndDropsGarbageTruncationsUnknownTypesAndStrangers()
    {
        startCluster(null);
        final Membership target = members.get(0);
        connectStranger(target);
        final Set<String> viewBefore = view(target);
        final Map<Counter, Long> before = rejected(target.counters());
        final int aliveLength = intruderAlive();
        final int sealedLength = new PacketEnvelope(CLUSTER, null).seal(payload, 0, aliveLength, datagram, 0);
        int sent = 0;

        final Random random = new Random(42);
        final UnsafeBuffer noise = new UnsafeBuffer(new byte[1200]);
        for (int i = 0; i < 50; i++)
        {
            final byte[] bytes = new byte[1 + random.nextInt(noise.capacity())];
            random.nextBytes(bytes);
            noise.putBytes(0, bytes);
            send(noise, bytes.length);
            sent++;
        }
        send(datagram, 0);
        sent++;

        // Every proper prefix of a sealed Alive, the bare envelope header (an empty payload) included.
        for (int length = 1; length < sealedLength; length++)
        {
            send(datagram, length);
            sent++;
        }

        sealAndSend(new PacketEnvelope(CLUSTER, null), unknownMessage(99, MessageHeaderEncoder.SCHEMA_ID));
        sealAndSend(new PacketEnvelope(CLUSTER, null), unknownMessage(1, 4242));
        sealAndSend(new PacketEnvelope("another-cluster", null), intruderAlive());
        sealAndSend(new PacketEnvelope(CLUSTER, Keyring.of(KEY)), intruderAlive());
        sent += 4;

        final int expected = sent;
        Await.until("all " + expected + " bad datagrams are counted", 30_000,
            () -> totalRejected(target.counters()) - total(before) == expected);
        final Map<Counter, Long> added = difference(rejected(target.counters()), before);
        assertThat(added.get(Counter.REJECTED_UNKNOWN_TEMPLATE)).isEqualTo(1);
        assertThat(added.get(Counter.REJECTED_SCHEMA)).isEqualTo(1);
        assertThat(added.get(Counter.REJECTED_CLUSTER)).isEqualTo(1);
        assertThat(added.get(Counter.REJECTED_ENCRYPTED)).isEqualTo(1);
        assertThat(added.get(Counter.REJECTED_TRUNCATED) + added.get(Counter.REJECTED_MALFORMED))
            .isGreaterThanOrEqualTo(sealedLength - 1L);
        assertStillRunningWithTheSameView(target, viewBefore);

        sealAndSend(new PacketEnvelope(CLUSTER, null), intruderAlive());
        Await.until("the control datagram adds the intruder", 10_000, () -> knowsIntruder(target));
        assertThat(totalRejected(target.counters()) - total(before)).isEqualTo(expected);
    }

    @Test
    void encryptedClusterCountsAndDropsWrongKeysPlaintextAndOtherClusters()
    {
        startCluster(Keyring.of(KEY));
        final Membership target = members.get(0);
        connectStranger(target);
        final Set<String> viewBefore = view(target);
        final Map<Counter, Long> before = rejected(target.counters());
        final int aliveLength = intruderAlive();

        for (int i = 0; i < 5; i++)
        {
            sealAndSend(new PacketEnvelope(CLUSTER, Keyring.of(OTHER_KEY)), aliveLength);
        }
        for (int i = 0; i < 3; i++)
        {
            sealAndSend(new PacketEnvelope(CLUSTER, null), aliveLength);
        }
        for (int i = 0; i < 2; i++)
        {
            sealAndSend(new PacketEnvelope("another-cluster", Keyring.of(KEY)), aliveLength);
        }
        final int sealedLength =
            new PacketEnvelope(CLUSTER, Keyring.of(KEY)).seal(payload, 0, aliveLength, datagram, 0);
        datagram.putByte(sealedLength - 1, (byte)(datagram.getByte(sealedLength - 1) ^ 1));
        send(datagram, sealedLength);

        Await.until("all 11 bad datagrams are counted", 30_000,
            () -> totalRejected(target.counters()) - total(before) == 11);
        final Map<Counter, Long> added = difference(rejected(target.counters()), before);
        assertThat(added.get(Counter.REJECTED_KEY)).as("wrong key, and a flipped tag bit").isEqualTo(6);
        assertThat(added.get(Counter.REJECTED_PLAINTEXT)).isEqualTo(3);
        assertThat(added.get(Counter.REJECTED_CLUSTER)).isEqualTo(2);
        assertStillRunningWithTheSameView(target, viewBefore);

        sealAndSend(new PacketEnvelope(CLUSTER, Keyring.of(KEY)), aliveLength);
        Await.until("the control datagram sealed with the cluster's key adds the intruder", 10_000,
            () -> knowsIntruder(target));
    }

    private void startCluster(final Keyring keyring)
    {
        String seed = null;
        for (int i = 0; i < 3; i++)
        {
            final AeronTransport transport = AeronTransport.launch(
                new AeronTransportContext().bind("127.0.0.1:0").errorHandler(errors::add));
            final MembershipContext ctx = LoopbackMembershipTest.fastTimings(new MembershipContext())
                .memberId("m" + i)
                .clusterName(CLUSTER)
                .keyring(keyring)
                .bind(transport.localEndpoint())
                .seeds(0 == i ? List.of() : List.of(seed))
                .transport(transport)
                .ownsTransport(true)
                .errorHandler(errors::add);
            members.add(Membership.start(ctx));
            seed = 0 == i ? transport.localEndpoint() : seed;
        }
        Await.until("three members see three alive", 30_000, () -> members.stream().allMatch(
            m -> m.members().stream().filter(x -> x.state() == MemberState.ALIVE).count() == 3));
    }

    private void connectStranger(final Membership target)
    {
        final String endpoint = target.context().bind();
        stranger = EmbeddedMediaDriver.launch("stranger", errors::add);
        publication = stranger.aeron().addExclusivePublication(
            "aeron:udp?endpoint=" + endpoint + "|term-length=64k", AeronTransport.MEMBERSHIP_STREAM_ID);
        Await.until("the stranger's publication connects", 10_000, publication::isConnected);
    }

    /**
     * Writes an Alive of a member "intruder" into the payload buffer: a message the cluster would act on.
     */
    private int intruderAlive()
    {
        return codec.alive(payload, 0, 7, "intruder".getBytes(StandardCharsets.UTF_8),
            "127.0.0.1:9".getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    private int unknownMessage(final int templateId, final int schemaId)
    {
        new MessageHeaderEncoder().wrap(payload, 0)
            .blockLength(8).templateId(templateId).schemaId(schemaId).version(0);
        payload.putLong(MessageHeaderEncoder.ENCODED_LENGTH, 0x0123_4567_89AB_CDEFL);
        return MessageHeaderEncoder.ENCODED_LENGTH + 8;
    }

    private void sealAndSend(final PacketEnvelope envelope, final int payloadLength)
    {
        send(datagram, envelope.seal(payload, 0, payloadLength, datagram, 0));
    }

    private void send(final DirectBuffer buffer, final int length)
    {
        Await.until("the stranger's datagram is taken", 10_000, () -> publication.offer(buffer, 0, length) > 0);
    }

    private void assertStillRunningWithTheSameView(final Membership target, final Set<String> viewBefore)
    {
        final long probes = target.counters().probes();
        Await.until("the member goes on probing", 10_000, () -> target.counters().probes() > probes + 2);
        assertThat(view(target)).isEqualTo(viewBefore);
        for (final Membership member : members)
        {
            assertThat(member.members()).extracting(Member::state).doesNotContain(MemberState.DEAD, MemberState.LEFT);
        }
        assertThat(errors).isEmpty();
    }

    /**
     * Who the member knows, by id and address: what a hostile datagram would try to change.
     */
    private static Set<String> view(final Membership membership)
    {
        final Set<String> view = new TreeSet<>();
        for (final Member member : membership.members())
        {
            view.add(member.id() + "@" + member.endpoint());
        }
        return view;
    }

    private static boolean knowsIntruder(final Membership membership)
    {
        return membership.members().stream().anyMatch(m -> m.id().equals("intruder"));
    }

    private static Map<Counter, Long> rejected(final MembershipCounters counters)
    {
        final Map<Counter, Long> values = new EnumMap<>(Counter.class);
        for (final Counter counter : REJECTED)
        {
            values.put(counter, counters.get(counter));
        }
        return values;
    }

    private static long totalRejected(final MembershipCounters counters)
    {
        return total(rejected(counters));
    }

    private static long total(final Map<Counter, Long> values)
    {
        return values.values().stream().mapToLong(Long::longValue).sum();
    }

    private static Map<Counter, Long> difference(final Map<Counter, Long> after, final Map<Counter, Long> before)
    {
        final Map<Counter, Long> difference = new EnumMap<>(Counter.class);
        after.forEach((counter, value) -> difference.put(counter, value - before.get(counter)));
        return difference;
    }

    private static byte[] bytes(final int length, final int value)
    {
        final byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte)value);
        return bytes;
    }
}
