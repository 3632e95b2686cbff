package io.swimlog.membership;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;

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

        Identity(final String id, final String endpoint)
        {
            this(id, id.getBytes(StandardCharsets.UTF_8), endpoint, endpoint.getBytes(StandardCharsets.UTF_8));
        }

        Identity(final String id, final byte[] idBytes, final String endpoint, final byte[] endpointBytes)
        {
            this.id = id;
            this.idBytes = idBytes;
            this.idHash = MemberTable.hash(idBytes, 0, idBytes.length);
            this.endpoint = endpoint;
            this.endpointBytes = endpointBytes;
        }
    }

    private Identity[] index = new Identity[1024];
    private int size;
    private final HashMap<String, Identity> byId = new HashMap<>();
    private List<Member> lastView;
    private Identity[] lastViewIdentities;

    /**
     * The shared identity for this id and endpoint, created on first sight; allocates only then.
     */
    Identity intern(final DirectBuffer id, final DirectBuffer endpoint)
    {
        final int length = id.capacity();
        final int h = MemberTable.hash(id, 0, length);
        final int mask = index.length - 1;
        int i = h & mask;
        for (Identity e = index[i]; e != null; e = index[i = (i + 1) & mask])
        {
            if (e.idHash == h && sameBytes(e.idBytes, id) && sameBytes(e.endpointBytes, endpoint))
            {
                return e;
            }
        }
        final byte[] idBytes = new byte[length];
        id.getBytes(0, idBytes);
        final byte[] endpointBytes = new byte[endpoint.capacity()];
        endpoint.getBytes(0, endpointBytes);
        return add(i, new Identity(new String(idBytes, StandardCharsets.UTF_8), idBytes,
            new String(endpointBytes, StandardCharsets.UTF_8), endpointBytes));
    }

    /**
     * The shared identity for this id and endpoint given as text (a view handed to a starting member), created on
     * first sight. The same strings, as a simulator passes them to every member, are found by their cached hash.
     */
    Identity intern(final String id, final String endpoint)
    {
        final Identity known = byId.get(id);
        if (known != null && known.endpoint.equals(endpoint))
        {
            return known;
        }
        final Identity candidate = new Identity(id, endpoint);
        final int mask = index.length - 1;
        int i = candidate.idHash & mask;
        for (Identity e = index[i]; e != null; e = index[i = (i + 1) & mask])
        {
            if (e.idHash == candidate.idHash && e.id.equals(id) && e.endpoint.equals(endpoint))
            {
                byId.put(id, e);
                return e;
            }
        }
        byId.put(id, candidate);
        return add(i, candidate);
    }

    /**
     * The identities of a whole view, in its order, checked to name each id once. The simulator hands the same
     * list to each of its N members, so the answer for the last list is kept: N views cost N look-ups, not N^2.
     *
     * @throws IllegalArgumentException if an id appears twice.
     */
    Identity[] internAll(final List<Member> view)
    {
        if (view == lastView && lastViewIdentities.length == view.size())
        {
            return lastViewIdentities;
        }
        final Identity[] result = new Identity[view.size()];
        final HashSet<String> ids = new HashSet<>();
        for (int i = 0; i < result.length; i++)
        {
            final Member member = view.get(i);
            if (!ids.add(member.id()))
            {
                throw new IllegalArgumentException("member " + member.id() + " appears twice in the view");
            }
            result[i] = intern(member.id(), member.endpoint());
        }
        lastView = view;
        lastViewIdentities = result;
        return result;
    }

    private Identity add(final int slot, final Identity identity)
    {
        index[slot] = identity;
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
