package io.swimlog.membership;

import java.nio.charset.StandardCharsets;

/**
 * Mutable state of one member inside {@link MemberTable}: what this member knows of it and the protocol's
 * bookkeeping about it. Owned by the membership thread; other threads see {@link Member} snapshots.
 */
final class MemberRecord
{
    final String id;
    final byte[] idBytes;
    final int idHash;
    String endpoint;
    byte[] endpointBytes;
    long incarnation;
    MemberState state = MemberState.DEAD;
    byte[] metadata = EMPTY;
    long stateChangeNs;

    /** Present while SUSPECT. */
    Suspicion suspicion;
    /** The queued update about this member, replaced (invalidated) by a newer one. */
    BroadcastQueue.Entry queuedUpdate;

    /** De-duplication of this member's user broadcasts: highest sequence seen and a window of 64 below it. */
    long broadcastMaxSequence = -1;
    long broadcastWindow;

    /** Probes in a row that succeeded only through other members: a one-way path. */
    int indirectOnlyProbes;
    boolean oneWayWarned;

    static final byte[] EMPTY = new byte[0];

    MemberRecord(final String id, final String endpoint)
    {
        this.id = id;
        this.idBytes = id.getBytes(StandardCharsets.UTF_8);
        this.idHash = MemberTable.hash(idBytes, 0, idBytes.length);
        endpoint(endpoint);
    }

    MemberRecord(final MemberIdentities.Identity identity)
    {
        this.id = identity.id;
        this.idBytes = identity.idBytes;
        this.idHash = identity.idHash;
        this.endpoint = identity.endpoint;
        this.endpointBytes = identity.endpointBytes;
    }

    void endpoint(final String endpoint)
    {
        this.endpoint = endpoint;
        this.endpointBytes = endpoint.getBytes(StandardCharsets.UTF_8);
    }

    Member snapshot()
    {
        return new Member(id, endpoint, incarnation, state, metadata);
    }

    /**
     * @return true if this sequence was not seen before, and records it.
     */
    boolean markBroadcastSeen(final long sequence)
    {
        if (sequence > broadcastMaxSequence)
        {
            final long shift = sequence - broadcastMaxSequence;
            broadcastWindow = shift >= 64 ? 0 : broadcastWindow << shift;
            broadcastWindow |= 1;
            broadcastMaxSequence = sequence;
            return true;
        }
        final long age = broadcastMaxSequence - sequence;
        if (age >= 64)
        {
            return false;
        }
        final long bit = 1L << age;
        if ((broadcastWindow & bit) != 0)
        {
            return false;
        }
        broadcastWindow |= bit;
        return true;
    }

    public String toString()
    {
        return id + '@' + endpoint + '/' + incarnation + '/' + state;
    }
}
