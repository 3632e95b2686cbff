package io.swimlog.membership;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Every member this member knows, itself included, as columns of primitive arrays indexed by a slot number: the
 * member's shared identity (id and endpoint, see {@link MemberIdentities}), incarnation, state and metadata. A
 * probe order (shuffled round robin) lists the slots in use, and an open-addressing index finds a slot by id.
 * Look-ups take the id's UTF-8 bytes straight from a received buffer, so answering a ping or ignoring a stale
 * update allocates nothing.
 * <p>
 * Why columns: in simulation a cluster of N members holds N^2 entries (10^8 at N = 10,000), and one object per
 * entry cost about 100 bytes and a garbage collector tracing 10^8 objects; a slot costs about 30 bytes in arrays
 * the collector does not look into. The fields most members never need (suspicion, user-broadcast
 * window, one-way probe count, time of death) are kept in a sparse map of {@link Extras}, present only while one
 * of them is set.
 * <p>
 * Invariants: each id appears once; a slot is in the probe order exactly when it is in use; {@code liveCount} is
 * the number of ALIVE and SUSPECT members, self included; the index is at most three quarters full; slots freed by
 * {@link #remove} are reused by later adds, so holders of a slot must drop it when its member is removed.
 * Not thread safe: owned by the membership thread.
 */
final class MemberTable
{
    /** No slot: a member not in the table. */
    static final int NONE = -1;
    static final byte[] EMPTY = new byte[0];
    private static final MemberState[] STATES = MemberState.values();

    /** The rarely-set fields of one member; dropped again once all are back to their defaults. */
    private static final class Extras
    {
        /** Present while SUSPECT. */
        Suspicion suspicion;
        /** De-duplication of this member's user broadcasts: highest sequence seen and a window of 64 below it. */
        long broadcastMaxSequence = -1;
        long broadcastWindow;
        /** Probes in a row that succeeded only through other members: a one-way path. */
        int indirectOnlyProbes;
        boolean oneWayWarned;
        /** When the member became DEAD or LEFT; set only in those states (reclaim and gossip to the dead read it). */
        long deadSinceNs;
        boolean deadSinceSet;

        boolean isIdle()
        {
            return suspicion == null && broadcastMaxSequence == -1 &&
                indirectOnlyProbes == 0 && !oneWayWarned && !deadSinceSet;
        }
    }

    // Columns, by slot.
    private MemberIdentities.Identity[] identities = new MemberIdentities.Identity[16];
    private long[] incarnations = new long[16];
    private byte[] states = new byte[16];
    private byte[][] metadata = new byte[16][];
    private int slotsUsed;
    private int[] freeSlots = new int[4];
    private int freeSlotCount;
    private final Int2ObjectHashMap<Extras> extras = new Int2ObjectHashMap<>();

    // Probe order: the slots in use.
    private int[] order = new int[16];
    private int size;

    // Open addressing by id hash: slot + 1, 0 for empty.
    private int[] index = new int[32];
    private int liveCount;

    static int hash(final byte[] bytes, final int offset, final int length)
    {
        int h = 0x811c9dc5;
        for (int i = offset, end = offset + length; i < end; i++)
        {
            h = (h ^ (bytes[i] & 0xFF)) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }

    static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        int h = 0x811c9dc5;
        for (int i = offset, end = offset + length; i < end; i++)
        {
            h = (h ^ (buffer.getByte(i) & 0xFF)) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }

    int size()
    {
        return size;
    }

    /**
     * The slot at position {@code i} of the probe order.
     */
    int slotAt(final int i)
    {
        return order[i];
    }

    int liveCount()
    {
        return liveCount;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Columns
    // ------------------------------------------------------------------------------------------------------------

    MemberIdentities.Identity identity(final int slot)
    {
        return identities[slot];
    }

    /**
     * Gives the member a new identity: a restart at a new endpoint under the same id (same hash, same index place).
     */
    void identity(final int slot, final MemberIdentities.Identity identity)
    {
        identities[slot] = identity;
    }

    String id(final int slot)
    {
        return identities[slot].id;
    }

    byte[] idBytes(final int slot)
    {
        return identities[slot].idBytes;
    }

    String endpoint(final int slot)
    {
        return identities[slot].endpoint;
    }

    byte[] endpointBytes(final int slot)
    {
        return identities[slot].endpointBytes;
    }

    long incarnation(final int slot)
    {
        return incarnations[slot];
    }

    void incarnation(final int slot, final long incarnation)
    {
        incarnations[slot] = incarnation;
    }

    MemberState state(final int slot)
    {
        return STATES[states[slot]];
    }

    byte[] metadata(final int slot)
    {
        return metadata[slot];
    }

    void metadata(final int slot, final byte[] bytes)
    {
        metadata[slot] = bytes.length == 0 ? EMPTY : bytes;
    }

    Member snapshot(final int slot)
    {
        final MemberIdentities.Identity identity = identities[slot];
        return new Member(identity.id, identity.endpoint, incarnations[slot], state(slot), metadata[slot]);
    }

    /**
     * Changes a member's state, keeping {@link #liveCount()} right and the time of death while DEAD or LEFT.
     */
    void state(final int slot, final MemberState state, final long nowNs)
    {
        final boolean wasLive = !state(slot).isDeadOrLeft();
        final boolean isLive = !state.isDeadOrLeft();
        if (wasLive != isLive)
        {
            liveCount += isLive ? 1 : -1;
        }
        states[slot] = (byte)state.ordinal();
        if (!isLive)
        {
            final Extras e = extras(slot);
            e.deadSinceNs = nowNs;
            e.deadSinceSet = true;
        }
        else
        {
            final Extras e = extras.get(slot);
            if (e != null && e.deadSinceSet)
            {
                e.deadSinceSet = false;
                e.deadSinceNs = 0;
                compact(slot, e);
            }
        }
    }

    /**
     * When the member became DEAD or LEFT; meaningful only in those states.
     */
    long deadSinceNs(final int slot)
    {
        final Extras e = extras.get(slot);
        return e == null ? 0 : e.deadSinceNs;
    }

    Suspicion suspicion(final int slot)
    {
        final Extras e = extras.get(slot);
        return e == null ? null : e.suspicion;
    }

    void suspicion(final int slot, final Suspicion suspicion)
    {
        if (suspicion != null)
        {
            extras(slot).suspicion = suspicion;
        }
        else
        {
            final Extras e = extras.get(slot);
            if (e != null)
            {
                e.suspicion = null;
                compact(slot, e);
            }
        }
    }

    /**
     * Counts one more probe of the member answered only through others.
     *
     * @return the count in a row, this one included.
     */
    int countIndirectOnlyProbe(final int slot)
    {
        return ++extras(slot).indirectOnlyProbes;
    }

    int indirectOnlyProbes(final int slot)
    {
        final Extras e = extras.get(slot);
        return e == null ? 0 : e.indirectOnlyProbes;
    }

    boolean oneWayWarned(final int slot)
    {
        final Extras e = extras.get(slot);
        return e != null && e.oneWayWarned;
    }

    void markOneWayWarned(final int slot)
    {
        extras(slot).oneWayWarned = true;
    }

    /**
     * A direct answer from the member: the path works both ways again.
     */
    void resetOneWay(final int slot)
    {
        final Extras e = extras.get(slot);
        if (e != null)
        {
            e.indirectOnlyProbes = 0;
            e.oneWayWarned = false;
            compact(slot, e);
        }
    }

    /**
     * @return true if this sequence of the member's user broadcasts was not seen before, and records it.
     */
    boolean markBroadcastSeen(final int slot, final long sequence)
    {
        final Extras e = extras(slot);
        if (sequence > e.broadcastMaxSequence)
        {
            final long shift = sequence - e.broadcastMaxSequence;
            e.broadcastWindow = shift >= 64 ? 0 : e.broadcastWindow << shift;
            e.broadcastWindow |= 1;
            e.broadcastMaxSequence = sequence;
            return true;
        }
        final long age = e.broadcastMaxSequence - sequence;
        if (age >= 64)
        {
            return false;
        }
        final long bit = 1L << age;
        if ((e.broadcastWindow & bit) != 0)
        {
            return false;
        }
        e.broadcastWindow |= bit;
        return true;
    }

    /**
     * Members with any of the sparse fields set (for tests of the memory bound).
     */
    int extrasCount()
    {
        return extras.size();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Look-up
    // ------------------------------------------------------------------------------------------------------------

    int find(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            // Heap buffers (all of the core's): hash and compare the array itself, without a bounds check per byte.
            final int start = buffer.wrapAdjustment() + offset;
            if (start < 0 || start + length > array.length || offset + length > buffer.capacity())
            {
                throw new IndexOutOfBoundsException("id outside its buffer");
            }
            return find(array, start, length);
        }
        final int h = hash(buffer, offset, length);
        final int mask = index.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask)
        {
            final int entry = index[i];
            if (entry == 0)
            {
                return NONE;
            }
            final MemberIdentities.Identity identity = identities[entry - 1];
            if (identity.idHash == h && equals(identity.idBytes, buffer, offset, length))
            {
                return entry - 1;
            }
        }
    }

    int find(final byte[] bytes, final int start, final int length)
    {
        final int h = hash(bytes, start, length);
        final int mask = index.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask)
        {
            final int entry = index[i];
            if (entry == 0)
            {
                return NONE;
            }
            final byte[] id = identities[entry - 1].idBytes;
            if (identities[entry - 1].idHash == h && Arrays.equals(id, 0, id.length, bytes, start, start + length))
            {
                return entry - 1;
            }
        }
    }

    int find(final byte[] id)
    {
        return find(id, 0, id.length);
    }

    /**
     * By id as text: allocation free for ASCII ids (the hash of their chars is the hash of their UTF-8 bytes).
     */
    int find(final String id)
    {
        final int length = id.length();
        int h = 0x811c9dc5;
        for (int i = 0; i < length; i++)
        {
            final char c = id.charAt(i);
            if (c >= 0x80)
            {
                return find(id.getBytes(StandardCharsets.UTF_8));
            }
            h = (h ^ c) * 0x01000193;
        }
        h ^= h >>> 16;
        final int mask = index.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask)
        {
            final int entry = index[i];
            if (entry == 0)
            {
                return NONE;
            }
            final MemberIdentities.Identity identity = identities[entry - 1];
            if (identity.idHash == h && identity.id.equals(id))
            {
                return entry - 1;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Membership of the table
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Makes room for {@code capacity} members without growing again, when the size of the view is known up front
     * (a member started with a whole view): no doubling slack in views of thousands.
     */
    void ensureCapacity(final int capacity)
    {
        if (capacity > identities.length)
        {
            growColumns(capacity);
        }
        if (capacity > order.length)
        {
            order = Arrays.copyOf(order, capacity);
        }
        int indexCapacity = index.length;
        while (capacity * 4 > indexCapacity * 3)
        {
            indexCapacity *= 2;
        }
        if (indexCapacity != index.length)
        {
            rebuildIndex(indexCapacity);
        }
    }

    /**
     * Adds a new member, DEAD at incarnation 0 with no metadata until the caller sets them, at a random place in
     * the probe order, so new members are not all probed last.
     *
     * @return its slot.
     */
    int add(final MemberIdentities.Identity identity, final SplittableRandom random)
    {
        final int slot;
        if (freeSlotCount > 0)
        {
            slot = freeSlots[--freeSlotCount];
        }
        else
        {
            if (slotsUsed == identities.length)
            {
                growColumns(slotsUsed * 2);
            }
            slot = slotsUsed++;
        }
        identities[slot] = identity;
        incarnations[slot] = 0;
        states[slot] = (byte)MemberState.DEAD.ordinal();
        metadata[slot] = EMPTY;

        if (size == order.length)
        {
            order = Arrays.copyOf(order, size * 2);
        }
        order[size++] = slot;
        if (size > 1)
        {
            final int j = random.nextInt(size);
            final int other = order[j];
            order[j] = slot;
            order[size - 1] = other;
        }
        if (size * 4 > index.length * 3)
        {
            rebuildIndex(index.length * 2);
        }
        else
        {
            insert(index, slot, identity.idHash);
        }
        return slot;
    }

    /**
     * Forgets a member; its slot may be given to the next member added.
     */
    void remove(final int slot)
    {
        for (int i = 0; i < size; i++)
        {
            if (order[i] == slot)
            {
                System.arraycopy(order, i + 1, order, i, size - i - 1);
                size--;
                if (!state(slot).isDeadOrLeft())
                {
                    liveCount--;
                }
                identities[slot] = null;
                metadata[slot] = null;
                extras.remove(slot);
                if (freeSlotCount == freeSlots.length)
                {
                    freeSlots = Arrays.copyOf(freeSlots, freeSlotCount * 2);
                }
                freeSlots[freeSlotCount++] = slot;
                rebuildIndex(index.length);
                return;
            }
        }
    }

    void shuffle(final SplittableRandom random)
    {
        for (int i = size - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
    }

    private Extras extras(final int slot)
    {
        Extras e = extras.get(slot);
        if (e == null)
        {
            e = new Extras();
            extras.put(slot, e);
        }
        return e;
    }

    private void compact(final int slot, final Extras e)
    {
        if (e.isIdle())
        {
            extras.remove(slot);
        }
    }

    private void growColumns(final int capacity)
    {
        identities = Arrays.copyOf(identities, capacity);
        incarnations = Arrays.copyOf(incarnations, capacity);
        states = Arrays.copyOf(states, capacity);
        metadata = Arrays.copyOf(metadata, capacity);
    }

    private void rebuildIndex(final int capacity)
    {
        final int[] newIndex = new int[capacity];
        for (int i = 0; i < size; i++)
        {
            final int slot = order[i];
            insert(newIndex, slot, identities[slot].idHash);
        }
        index = newIndex;
    }

    private static void insert(final int[] index, final int slot, final int hash)
    {
        final int mask = index.length - 1;
        int i = hash & mask;
        while (index[i] != 0)
        {
            i = (i + 1) & mask;
        }
        index[i] = slot + 1;
    }

    private static boolean equals(final byte[] bytes, final DirectBuffer buffer, final int offset, final int length)
    {
        if (bytes.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (bytes[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }
}
