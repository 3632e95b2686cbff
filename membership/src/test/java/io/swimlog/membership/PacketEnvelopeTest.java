package io.swimlog.membership;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PacketEnvelopeTest
{
    private static final byte[] KEY_A = filled(16, 1);
    private static final byte[] KEY_B = filled(32, 2);

    private final UnsafeBuffer sealed = new UnsafeBuffer(new byte[70_000]);
    private final UnsafeBuffer opened = new UnsafeBuffer(new byte[70_000]);

    @Property(tries = 200)
    void plaintextRoundTripsAnyPayload(@ForAll @Size(max = 1400) final byte[] payload)
    {
        assertRoundTrip(new PacketEnvelope("swimlog", null), new PacketEnvelope("swimlog", null), payload);
    }

    @Property(tries = 200)
    void encryptedRoundTripsAnyPayload(@ForAll @Size(max = 1400) final byte[] payload)
    {
        assertRoundTrip(
            new PacketEnvelope("swimlog", Keyring.of(KEY_A)), new PacketEnvelope("swimlog", Keyring.of(KEY_A)), payload);
    }

    @Property(tries = 300)
    void anyFlippedByteOfAnEncryptedDatagramIsRejected(
        @ForAll @Size(min = 1, max = 200) final byte[] payload,
        @ForAll @IntRange(min = 0, max = 10_000) final int position,
        @ForAll @IntRange(min = 1, max = 255) final int flip)
    {
        final PacketEnvelope envelope = new PacketEnvelope("swimlog", Keyring.of(KEY_A));
        final int length = envelope.seal(new UnsafeBuffer(payload), 0, payload.length, sealed, 0);
        final int index = position % length;
        sealed.putByte(index, (byte)(sealed.getByte(index) ^ flip));

        assertThat(envelope.open(sealed, 0, length, opened, 0)).isNegative();
    }

    @Property(tries = 300)
    void anyBytesAreRejectedOrOpenedWithoutThrowing(
        @ForAll("datagrams") final byte[] datagram, @ForAll final boolean encrypted)
    {
        final PacketEnvelope envelope = new PacketEnvelope("swimlog", encrypted ? Keyring.of(KEY_A) : null);
        final int result = envelope.open(new UnsafeBuffer(datagram), 0, datagram.length, opened, 0);
        assertThat(result).isLessThanOrEqualTo(datagram.length);
    }

    @Provide
    Arbitrary<byte[]> datagrams()
    {
        final Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        final Arbitrary<byte[]> ourHeader = random.map(tail ->
        {
            final byte[] datagram = Arrays.copyOf(new byte[] { 'S', 'W', 1, 0, 7, 's', 'w', 'i', 'm', 'l', 'o', 'g' },
                12 + tail.length);
            System.arraycopy(tail, 0, datagram, 12, tail.length);
            return datagram;
        });
        return Arbitraries.oneOf(random, ourHeader);
    }

    @Test
    void refusesAnotherClustersDatagram()
    {
        final int length = seal(new PacketEnvelope("other", null), "hello");
        assertThat(new PacketEnvelope("swimlog", null).open(sealed, 0, length, opened, 0))
            .isEqualTo(PacketEnvelope.REJECTED_CLUSTER);
    }

    @Test
    void refusesADatagramSealedWithAnUnknownKey()
    {
        final int length = seal(new PacketEnvelope("swimlog", Keyring.of(KEY_B)), "hello");
        assertThat(new PacketEnvelope("swimlog", Keyring.of(KEY_A)).open(sealed, 0, length, opened, 0))
            .isEqualTo(PacketEnvelope.REJECTED_KEY);
    }

    @Test
    void refusesPlaintextWhenEncryptionIsOnAndCiphertextWhenItIsOff()
    {
        int length = seal(new PacketEnvelope("swimlog", null), "hello");
        assertThat(new PacketEnvelope("swimlog", Keyring.of(KEY_A)).open(sealed, 0, length, opened, 0))
            .isEqualTo(PacketEnvelope.REJECTED_PLAINTEXT);

        length = seal(new PacketEnvelope("swimlog", Keyring.of(KEY_A)), "hello");
        assertThat(new PacketEnvelope("swimlog", null).open(sealed, 0, length, opened, 0))
            .isEqualTo(PacketEnvelope.REJECTED_ENCRYPTED);
    }

    @Test
    void refusesAnotherVersionAndMalformedHeaders()
    {
        final PacketEnvelope envelope = new PacketEnvelope("swimlog", null);
        int length = seal(envelope, "hello");
        sealed.putByte(2, (byte)2);
        assertThat(envelope.open(sealed, 0, length, opened, 0)).isEqualTo(PacketEnvelope.REJECTED_VERSION);

        length = seal(envelope, "hello");
        assertThat(envelope.open(sealed, 0, 4, opened, 0)).isEqualTo(PacketEnvelope.REJECTED_MALFORMED);
        sealed.putByte(4, (byte)200);
        assertThat(envelope.open(sealed, 0, length, opened, 0)).isEqualTo(PacketEnvelope.REJECTED_MALFORMED);
    }

    @Test
    void rotatesKeysWithoutAGapInUnderstanding()
    {
        final PacketEnvelope oldMember = new PacketEnvelope("swimlog", Keyring.of(KEY_A));
        final PacketEnvelope newMember = new PacketEnvelope("swimlog", Keyring.of(KEY_A));

        // Step 1: the new key is accepted everywhere; step 2: it becomes primary on one member first.
        oldMember.keyring(Keyring.of(KEY_A, KEY_B));
        newMember.keyring(Keyring.of(KEY_B, KEY_A));
        assertOpensWhatTheOtherSeals(oldMember, newMember);
        assertOpensWhatTheOtherSeals(newMember, oldMember);

        // Step 3: the old key is dropped once every member seals with the new one.
        oldMember.keyring(Keyring.of(KEY_B));
        newMember.keyring(Keyring.of(KEY_B));
        assertOpensWhatTheOtherSeals(oldMember, newMember);
    }

    @Test
    void noncesNeverRepeatAcrossDatagrams()
    {
        final PacketEnvelope envelope = new PacketEnvelope("swimlog", Keyring.of(KEY_A));
        final int nonceOffset = envelope.overhead() - PacketEnvelope.NONCE_LENGTH - PacketEnvelope.TAG_LENGTH;
        final java.util.Set<String> nonces = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++)
        {
            seal(envelope, "x");
            final byte[] nonce = new byte[PacketEnvelope.NONCE_LENGTH];
            sealed.getBytes(nonceOffset, nonce);
            assertThat(nonces.add(Arrays.toString(nonce))).isTrue();
        }
    }

    @Test
    void keyringParsesBase64KeysAndNamesTheBadOne()
    {
        final String a = Base64.getEncoder().encodeToString(KEY_A);
        final String b = Base64.getEncoder().encodeToString(KEY_B);
        assertThat(Keyring.parse(a + "," + b).size()).isEqualTo(2);
        assertThatThrownBy(() -> Keyring.parse(a + ",!!!")).hasMessage("key 2 is not valid base64");
        assertThatThrownBy(() -> Keyring.parse(Base64.getEncoder().encodeToString(new byte[20])))
            .hasMessage("key 1 is 20 bytes; AES keys are 16, 24 or 32 bytes");
        assertThatThrownBy(() -> Keyring.parse(" ")).hasMessageContaining("no key given");
    }

    private void assertOpensWhatTheOtherSeals(final PacketEnvelope sender, final PacketEnvelope receiver)
    {
        final int length = seal(sender, "rotating");
        final int payloadLength = receiver.open(sealed, 0, length, opened, 0);
        assertThat(opened.getStringWithoutLengthUtf8(0, payloadLength)).isEqualTo("rotating");
    }

    private void assertRoundTrip(final PacketEnvelope sender, final PacketEnvelope receiver, final byte[] payload)
    {
        final int length = sender.seal(new UnsafeBuffer(payload), 0, payload.length, sealed, 0);
        assertThat(length).isEqualTo(payload.length + sender.overhead());

        final int payloadLength = receiver.open(sealed, 0, length, opened, 0);
        assertThat(payloadLength).isEqualTo(payload.length);
        final byte[] copy = new byte[payloadLength];
        opened.getBytes(0, copy);
        assertThat(copy).isEqualTo(payload);
    }

    private int seal(final PacketEnvelope envelope, final String text)
    {
        final byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        return envelope.seal(new UnsafeBuffer(payload), 0, payload.length, sealed, 0);
    }

    private static byte[] filled(final int length, final int value)
    {
        final byte[] key = new byte[length];
        Arrays.fill(key, (byte)value);
        return key;
    }
}
