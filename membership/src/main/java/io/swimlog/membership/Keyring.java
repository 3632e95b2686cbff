package io.swimlog.membership;

import javax.crypto.spec.SecretKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The AES-GCM keys a member uses: one primary key that seals every outgoing datagram, and accepted keys that
 * may also open incoming ones.
 * <p>
 * Rotation without downtime, as memberlist does it: install the new key as accepted on every member, then make it
 * primary on every member, then drop the old one. At every step each member can open what any other member seals.
 * <p>
 * Immutable, so it can be handed from a user thread to the membership thread.
 */
public final class Keyring
{
    private final SecretKeySpec[] keys;

    private Keyring(final SecretKeySpec[] keys)
    {
        this.keys = keys;
    }

    /**
     * @param primaryKey   seals outgoing datagrams and opens incoming ones.
     * @param acceptedKeys only open incoming datagrams.
     * @throws IllegalArgumentException when a key is not 16, 24 or 32 bytes long.
     */
    public static Keyring of(final byte[] primaryKey, final byte[]... acceptedKeys)
    {
        final SecretKeySpec[] keys = new SecretKeySpec[1 + acceptedKeys.length];
        keys[0] = aesKey(primaryKey, 1);
        for (int i = 0; i < acceptedKeys.length; i++)
        {
            keys[i + 1] = aesKey(acceptedKeys[i], i + 2);
        }
        return new Keyring(keys);
    }

    /**
     * Parses {@code "K1[,K2...]"}, each key in standard base64; the first is the primary key.
     *
     * @throws IllegalArgumentException with a message naming the bad key.
     */
    public static Keyring parse(final String base64Keys)
    {
        if (base64Keys == null || base64Keys.isBlank())
        {
            throw new IllegalArgumentException("no key given: expected base64 AES keys of 16, 24 or 32 bytes");
        }

        final List<byte[]> decoded = new ArrayList<>();
        final String[] parts = base64Keys.split(",");
        for (int i = 0; i < parts.length; i++)
        {
            try
            {
                decoded.add(Base64.getDecoder().decode(parts[i].strip()));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("key " + (i + 1) + " is not valid base64", ex);
            }
        }

        return of(decoded.get(0), decoded.subList(1, decoded.size()).toArray(new byte[0][]));
    }

    /**
     * The number of keys, primary included.
     */
    public int size()
    {
        return keys.length;
    }

    SecretKeySpec primaryKey()
    {
        return keys[0];
    }

    SecretKeySpec key(final int index)
    {
        return keys[index];
    }

    private static SecretKeySpec aesKey(final byte[] key, final int position)
    {
        if (key == null || (key.length != 16 && key.length != 24 && key.length != 32))
        {
            throw new IllegalArgumentException("key " + position + " is " + (key == null ? 0 : key.length) +
                " bytes; AES keys are 16, 24 or 32 bytes");
        }
        return new SecretKeySpec(key.clone(), "AES");
    }
}
