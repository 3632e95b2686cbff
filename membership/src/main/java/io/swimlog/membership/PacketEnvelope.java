package io.swimlog.membership;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * The outer wrapping of every membership datagram: it names the cluster and, when a {@link Keyring} is set,
 * encrypts and authenticates the payload with AES-GCM.
 * <pre>
 *   0      2        3      4             5                5+n
 *   +------+--------+------+-------------+----------------+-------------------------------------------+
 *   | 'SW' | version| flags| cluster len | cluster name   | payload, or nonce(12) ciphertext tag(16)  |
 *   +------+--------+------+-------------+----------------+-------------------------------------------+
 * </pre>
 * The header (magic to cluster name) is the associated data of the encryption, so a datagram cannot be moved to
 * another cluster by rewriting its name. A member either encrypts everything or nothing: it refuses plaintext when
 * it has keys and ciphertext when it has none, so a misconfigured member is counted and kept out rather than
 * half-joined.
 * <p>
 * Nonces are a random 64-bit salt per envelope followed by a 32-bit counter; the salt is renewed before the
 * counter wraps, so no nonce repeats under one key (members draw independent salts).
 * <p>
 * Not thread safe: one envelope per member, used on the member's thread. Without keys, sealing and opening
 * allocate nothing; with keys the JCE cipher allocates a little per datagram.
 */
public final class PacketEnvelope
{
    public static final int VERSION = 1;
    public static final int MAX_CLUSTER_NAME_LENGTH = 255;
    public static final int NONCE_LENGTH = 12;
    public static final int TAG_LENGTH = 16;
    public static final int MAX_OVERHEAD = 5 + MAX_CLUSTER_NAME_LENGTH + NONCE_LENGTH + TAG_LENGTH;

    /** Too short, bad magic or bad lengths: not one of ours. */
    public static final int REJECTED_MALFORMED = -1;
    /** A version of the envelope this member does not speak. */
    public static final int REJECTED_VERSION = -2;
    /** Another cluster's datagram. */
    public static final int REJECTED_CLUSTER = -3;
    /** Encrypted, but no key of ours opens it (or it was tampered with). */
    public static final int REJECTED_KEY = -4;
    /** Plaintext, but this member requires encryption. */
    public static final int REJECTED_PLAINTEXT = -5;
    /** Encrypted, but this member has no keys. */
    public static final int REJECTED_ENCRYPTED = -6;

    private static final byte MAGIC_0 = 'S';
    private static final byte MAGIC_1 = 'W';
    private static final int FLAG_ENCRYPTED = 1;
    private static final int CLUSTER_NAME_OFFSET = 5;
    private static final int MAX_DATAGRAM_LENGTH = 64 * 1024;

    private final byte[] clusterName;
    private final int headerLength;
    private final byte[] nonce = new byte[NONCE_LENGTH];
    private final byte[] receivedNonce = new byte[NONCE_LENGTH];
    private final byte[] header;
    private final byte[] input = new byte[MAX_DATAGRAM_LENGTH];
    private final byte[] output = new byte[MAX_DATAGRAM_LENGTH];
    private final SecureRandom random = new SecureRandom();
    private Keyring keyring;
    private Cipher cipher;
    private int nonceCounter;

    /**
     * @param clusterName    carried by every datagram; datagrams naming another cluster are refused.
     * @param keyringOrNull  keys to encrypt with, or null to send plaintext.
     */
    public PacketEnvelope(final String clusterName, final Keyring keyringOrNull)
    {
        this.clusterName = clusterName.getBytes(StandardCharsets.UTF_8);
        if (this.clusterName.length == 0 || this.clusterName.length > MAX_CLUSTER_NAME_LENGTH)
        {
            throw new IllegalArgumentException(
                "cluster name must be 1 to " + MAX_CLUSTER_NAME_LENGTH + " bytes of UTF-8: " + clusterName);
        }
        headerLength = CLUSTER_NAME_OFFSET + this.clusterName.length;
        header = new byte[headerLength];
        keyring(keyringOrNull);
    }

    /**
     * Replaces the keys, for rotation. Switching between encrypted and plaintext this way is possible but the
     * members on either side of the switch do not understand each other until all have switched.
     */
    public void keyring(final Keyring keyring)
    {
        this.keyring = keyring;
        if (keyring != null && cipher == null)
        {
            try
            {
                cipher = Cipher.getInstance("AES/GCM/NoPadding");
            }
            catch (final GeneralSecurityException ex)
            {
                throw new IllegalStateException("AES-GCM is not available in this JVM", ex);
            }
            renewSalt();
        }
    }

    public boolean isEncrypted()
    {
        return keyring != null;
    }

    /**
     * Bytes {@link #seal} adds to a payload with the current settings.
     */
    public int overhead()
    {
        return headerLength + (keyring != null ? NONCE_LENGTH + TAG_LENGTH : 0);
    }

    /**
     * Writes the datagram for {@code length} payload bytes of {@code src} into {@code dst}.
     *
     * @return the datagram's length.
     */
    public int seal(
        final DirectBuffer src, final int srcOffset, final int length, final MutableDirectBuffer dst, final int dstOffset)
    {
        writeHeader(dst, dstOffset);
        final int bodyOffset = dstOffset + headerLength;
        if (keyring == null)
        {
            dst.putBytes(bodyOffset, src, srcOffset, length);
            return headerLength + length;
        }

        nextNonce();
        dst.putBytes(bodyOffset, nonce);
        src.getBytes(srcOffset, input, 0, length);
        dst.getBytes(dstOffset, header, 0, headerLength);
        try
        {
            cipher.init(Cipher.ENCRYPT_MODE, keyring.primaryKey(), new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            cipher.updateAAD(header, 0, headerLength);
            final int sealed = cipher.doFinal(input, 0, length, output, 0);
            dst.putBytes(bodyOffset + NONCE_LENGTH, output, 0, sealed);
            return headerLength + NONCE_LENGTH + sealed;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("AES-GCM encryption failed", ex);
        }
    }

    /**
     * Checks a received datagram and writes its payload into {@code dst}.
     *
     * @return the payload's length, or one of the negative {@code REJECTED_*} reasons.
     */
    public int open(
        final DirectBuffer src, final int srcOffset, final int length, final MutableDirectBuffer dst, final int dstOffset)
    {
        if (length < CLUSTER_NAME_OFFSET || length > MAX_DATAGRAM_LENGTH ||
            src.getByte(srcOffset) != MAGIC_0 || src.getByte(srcOffset + 1) != MAGIC_1)
        {
            return REJECTED_MALFORMED;
        }
        if ((src.getByte(srcOffset + 2) & 0xFF) != VERSION)
        {
            return REJECTED_VERSION;
        }

        final int flags = src.getByte(srcOffset + 3) & 0xFF;
        final int nameLength = src.getByte(srcOffset + 4) & 0xFF;
        final int bodyOffset = srcOffset + CLUSTER_NAME_OFFSET + nameLength;
        final int bodyLength = length - CLUSTER_NAME_OFFSET - nameLength;
        if (bodyLength < 0 || (flags & ~FLAG_ENCRYPTED) != 0)
        {
            return REJECTED_MALFORMED;
        }
        if (!isOurCluster(src, srcOffset + CLUSTER_NAME_OFFSET, nameLength))
        {
            return REJECTED_CLUSTER;
        }

        final boolean encrypted = (flags & FLAG_ENCRYPTED) != 0;
        if (!encrypted)
        {
            if (keyring != null)
            {
                return REJECTED_PLAINTEXT;
            }
            dst.putBytes(dstOffset, src, bodyOffset, bodyLength);
            return bodyLength;
        }

        if (keyring == null)
        {
            return REJECTED_ENCRYPTED;
        }
        if (bodyLength < NONCE_LENGTH + TAG_LENGTH)
        {
            return REJECTED_MALFORMED;
        }

        return decrypt(src, srcOffset, bodyOffset, bodyLength, dst, dstOffset);
    }

    private int decrypt(
        final DirectBuffer src,
        final int srcOffset,
        final int bodyOffset,
        final int bodyLength,
        final MutableDirectBuffer dst,
        final int dstOffset)
    {
        final int cipherLength = bodyLength - NONCE_LENGTH;
        src.getBytes(srcOffset, header, 0, headerLength);
        src.getBytes(bodyOffset, receivedNonce, 0, NONCE_LENGTH);
        src.getBytes(bodyOffset + NONCE_LENGTH, input, 0, cipherLength);

        // memberlist's way: try each key, the primary first, since that is the one peers most likely used.
        for (int i = 0, size = keyring.size(); i < size; i++)
        {
            try
            {
                cipher.init(Cipher.DECRYPT_MODE, keyring.key(i), new GCMParameterSpec(TAG_LENGTH * 8, receivedNonce));
                cipher.updateAAD(header, 0, headerLength);
                final int opened = cipher.doFinal(input, 0, cipherLength, output, 0);
                dst.putBytes(dstOffset, output, 0, opened);
                return opened;
            }
            catch (final AEADBadTagException ex)
            {
                // Not this key (or tampered with): try the next one; REJECTED_KEY when none fits.
            }
            catch (final GeneralSecurityException ex)
            {
                return REJECTED_KEY;
            }
        }

        return REJECTED_KEY;
    }

    private boolean isOurCluster(final DirectBuffer src, final int offset, final int nameLength)
    {
        if (nameLength != clusterName.length)
        {
            return false;
        }
        for (int i = 0; i < nameLength; i++)
        {
            if (src.getByte(offset + i) != clusterName[i])
            {
                return false;
            }
        }
        return true;
    }

    private void writeHeader(final MutableDirectBuffer dst, final int offset)
    {
        dst.putByte(offset, MAGIC_0);
        dst.putByte(offset + 1, MAGIC_1);
        dst.putByte(offset + 2, (byte)VERSION);
        dst.putByte(offset + 3, (byte)(keyring != null ? FLAG_ENCRYPTED : 0));
        dst.putByte(offset + 4, (byte)clusterName.length);
        dst.putBytes(offset + CLUSTER_NAME_OFFSET, clusterName);
    }

    private void nextNonce()
    {
        if (++nonceCounter == 0)
        {
            renewSalt();
            nonceCounter = 1;
        }
        nonce[8] = (byte)(nonceCounter >>> 24);
        nonce[9] = (byte)(nonceCounter >>> 16);
        nonce[10] = (byte)(nonceCounter >>> 8);
        nonce[11] = (byte)nonceCounter;
    }

    private void renewSalt()
    {
        final byte[] salt = new byte[8];
        random.nextBytes(salt);
        System.arraycopy(salt, 0, nonce, 0, salt.length);
        nonceCounter = 0;
    }
}
