package io.swimlog.membership;

import io.swimlog.membership.MembershipCounters.Counter;
import io.swimlog.membership.sim.Simulation;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.swimlog.membership.sim.Simulation.MILLIS;
import static io.swimlog.membership.sim.Simulation.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Datagrams that are not ours, not whole or not for us are counted and dropped: the member keeps running and
 * its view does not change.
 */
@Timeout(30)
class BadInputTest
{
    private Simulation sim;
    private MembershipCore core;
    private List<Member> viewBefore;
    private long rejectedBefore;

    @BeforeEach
    void convergedCluster()
    {
        sim = new Simulation(11, null);
        sim.startCluster(5, SECONDS);
        assertThat(sim.runUntil(sim::viewsConverged, 30 * SECONDS, 100 * MILLIS)).isTrue();
        core = sim.core(0);
        viewBefore = core.members();
        rejectedBefore = core.counters().rejected();
    }

    private void deliver(final byte[] datagram)
    {
        core.onDatagram(new UnsafeBuffer(datagram), 0, datagram.length);
    }

    private static byte[] seal(final PacketEnvelope envelope, final DirectBuffer payload, final int length)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[length + PacketEnvelope.MAX_OVERHEAD]);
        final int sealed = envelope.seal(payload, 0, length, out, 0);
        return Arrays.copyOf(out.byteArray(), sealed);
    }

    private byte[] validAlive(final PacketEnvelope envelope)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[512]);
        final int length = new MessageCodec().alive(payload, 0, 1_000_000, "intruder".getBytes(StandardCharsets.UTF_8),
            "10.9.9.9:7946".getBytes(StandardCharsets.UTF_8), new byte[0]);
        return seal(envelope, payload, length);
    }

    private void assertViewUnchangedAndStillRunning()
    {
        assertThat(core.members()).as("view unchanged").containsExactlyInAnyOrderElementsOf(viewBefore);
        sim.runFor(10 * SECONDS);
        assertThat(sim.viewsConverged()).as("cluster still converged, %s", sim).isTrue();
        assertThat(core.member("intruder")).isNull();
    }

    @Test
    void randomBytesAreCountedAndDropped()
    {
        final Random random = new Random(5);
        for (int i = 0; i < 1_000; i++)
        {
            final byte[] datagram = new byte[random.nextInt(1400)];
            random.nextBytes(datagram);
            deliver(datagram);
        }
        assertThat(core.counters().rejected() - rejectedBefore).isEqualTo(1_000);
        assertViewUnchangedAndStillRunning();
    }

    @Test
    void everyTruncationOfAValidDatagramIsCountedAndDropped()
    {
        final byte[] whole = validAlive(new PacketEnvelope(MembershipContext.DEFAULT_CLUSTER_NAME, null));
        for (int length = 0; length < whole.length; length++)
        {
            deliver(Arrays.copyOf(whole, length));
        }
        assertThat(core.counters().rejected() - rejectedBefore).isEqualTo(whole.length);
        assertThat(core.counters().get(Counter.REJECTED_TRUNCATED)).isPositive();
        assertViewUnchangedAndStillRunning();
    }

    @Test
    void unknownMessageTypesAndSchemasAreCountedAndDropped()
    {
        final PacketEnvelope envelope = new PacketEnvelope(MembershipContext.DEFAULT_CLUSTER_NAME, null);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        // A header naming template 99 of our schema, then one of another schema.
        payload.putShort(0, (short)8);
        payload.putShort(2, (short)99);
        payload.putShort(4, (short)17);
        payload.putShort(6, (short)0);
        deliver(seal(envelope, payload, 16));
        payload.putShort(2, (short)5);
        payload.putShort(4, (short)4242);
        deliver(seal(envelope, payload, 16));
        // A known template with a block shorter than the schema's.
        payload.putShort(0, (short)2);
        payload.putShort(4, (short)17);
        deliver(seal(envelope, payload, 16));

        assertThat(core.counters().get(Counter.REJECTED_UNKNOWN_TEMPLATE)).isEqualTo(1);
        assertThat(core.counters().get(Counter.REJECTED_SCHEMA)).isEqualTo(1);
        assertThat(core.counters().get(Counter.REJECTED_MALFORMED)).isEqualTo(1);
        assertViewUnchangedAndStillRunning();
    }

    @Test
    void anotherClustersDatagramsAreCountedAndDropped()
    {
        deliver(validAlive(new PacketEnvelope("other-cluster", null)));
        assertThat(core.counters().get(Counter.REJECTED_CLUSTER)).isEqualTo(1);
        assertViewUnchangedAndStillRunning();
    }

    @Test
    void encryptedDatagramsAreRefusedByAPlaintextMember()
    {
        deliver(validAlive(new PacketEnvelope(MembershipContext.DEFAULT_CLUSTER_NAME, Keyring.of(new byte[16]))));
        assertThat(core.counters().get(Counter.REJECTED_ENCRYPTED)).isEqualTo(1);
        assertViewUnchangedAndStillRunning();
    }

    @Test
    void aWrongKeyIsCountedAndDroppedByAnEncryptedMember()
    {
        final byte[] key = new byte[16];
        Arrays.fill(key, (byte)1);
        final List<String> sent = new ArrayList<>();
        final Transport transport =
            new SendOnlyTransport("127.0.0.1:7946", (endpoint, buffer, offset, length) -> sent.add(endpoint));
        final MembershipContext ctx = new MembershipContext().memberId("keyed").transport(transport)
            .keyring(Keyring.of(key)).conclude();
        final MembershipCounters counters = new MembershipCounters();
        final MembershipCore keyed = new MembershipCore(
            ctx, new PacketEnvelope(ctx.clusterName(), ctx.keyring()), counters, (type, id, inc, now) -> {});
        keyed.start(0);
        final List<Member> before = keyed.members();

        final byte[] wrongKey = validAlive(new PacketEnvelope(ctx.clusterName(), Keyring.of(new byte[16])));
        keyed.onDatagram(new UnsafeBuffer(wrongKey), 0, wrongKey.length);
        final byte[] plaintext = validAlive(new PacketEnvelope(ctx.clusterName(), null));
        keyed.onDatagram(new UnsafeBuffer(plaintext), 0, plaintext.length);
        assertThat(counters.get(Counter.REJECTED_KEY)).isEqualTo(1);
        assertThat(counters.get(Counter.REJECTED_PLAINTEXT)).isEqualTo(1);
        assertThat(keyed.members()).isEqualTo(before);

        final byte[] rightKey = validAlive(new PacketEnvelope(ctx.clusterName(), Keyring.of(key)));
        keyed.onDatagram(new UnsafeBuffer(rightKey), 0, rightKey.length);
        assertThat(keyed.member("intruder")).as("the right key is accepted").isNotNull();
        assertThat(keyed.onTimers(TimeUnit.SECONDS.toNanos(2))).isPositive();
    }

    private static final class TimeUnit
    {
        static final java.util.concurrent.TimeUnit SECONDS = java.util.concurrent.TimeUnit.SECONDS;
    }
}
