package io.swimlog.membership;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Shares the immutable identity of members (id and endpoint, as text and bytes) among many
 * {@link MembershipCore}s in one process: the simulator runs thousands of members, each with a full view, and
 * without sharing every view would hold its own copies of every id and endpoint.
 * <p>
 * Not thread safe: for cores that run on one thread (the simulator). A core without it makes its own copies.
 */
public final class MemberIdentities
{
    /** One member's identity; never changes. */
    static final class Identity
    {
        final String id;
        final byte[] idBytes;
        final int idHash;
        final String endpoint;
        final byte[] endpointBytes;

        Identity(
            final String id, final byte[] idBytes, final int idHash, final String endpoint, final byte[] endpointBytes)
        {
            this.id = id;
            this.idBytes = idBytes;
            this.idHash = idHash;
            this.endpoint = endpoint;
            this.endpointBytes = endpointBytes;
        }
    }

    private Identity[] index = new Identity[1024];
    private int size;

    /**
     * The shared identity for this id and endpoint, created on first sight.
     */
    Identity intern(final DirectBuffer id, final DirectBuffer endpoint)
    {
        final int length = id.capacity();
        final byte[] scratch = new byte[length];
        id.getBytes(0, scratch);
        final int h = MemberTable.hash(scratch, 0, length);
        final int mask = index.length - 1;
        int i = h & mask;
        for (Identity e = index[i]; e != null; e = index[i = (i + 1) & mask])
        {
            if (e.idHash == h && Arrays.equals(e.idBytes, scratch) && sameBytes(e.endpointBytes, endpoint))
            {
                return e;
            }
        }
        final byte[] endpointBytes = new byte[endpoint.capacity()];
        endpoint.getBytes(0, endpointBytes);
        final Identity identity = new Identity(new String(scratch, StandardCharsets.UTF_8), scratch, h,
            new String(endpointBytes, StandardCharsets.UTF_8), endpointBytes);
        index[i] = identity;
        if (++size * 2 > index.length)
        {
            rehash();
        }
        return identity;
    }

    private void rehash()
    {
        final Identity[] old = index;
        index = new Identity[old.length * 2];
        final int mask = index.length - 1;
        for (final Identity e : old)
        {
            if (e != null)
            {
                int i = e.idHash & mask;
                while (index[i] != null)
                {
                    i = (i + 1) & mask;
                }
                index[i] = e;
            }
        }
    }

    private static boolean sameBytes(final byte[] bytes, final DirectBuffer view)
    {
        if (bytes.length != view.capacity())
        {
            return false;
        }
        for (int i = 0; i < bytes.length; i++)
        {
            if (bytes[i] != view.getByte(i))
            {
                return false;
            }
        }
        return true;
    }
}
