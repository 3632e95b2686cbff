package io.swimlog.membership;

import org.agrona.DirectBuffer;

import java.util.SplittableRandom;

/**
 * Every member this member knows, itself included: an array in probe order (shuffled round robin) and an
 * open-addressing index by id. Look-ups take the id's UTF-8 bytes straight from a received buffer, so
 * answering a ping or ignoring a stale update allocates nothing.
 * <p>
 * Invariants: each id appears once; {@code liveCount} is the number of ALIVE and SUSPECT members, self
 * included. Not thread safe: owned by the membership thread.
 */
final class MemberTable
{
    private MemberRecord[] members = new MemberRecord[16];
    private int size;
    private MemberRecord[] index = new MemberRecord[32];
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

    MemberRecord get(final int i)
    {
        return members[i];
    }

    int liveCount()
    {
        return liveCount;
    }

    MemberRecord find(final DirectBuffer buffer, final int offset, final int length)
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
            final MemberRecord r = index[i];
            if (r == null)
            {
                return null;
            }
            if (r.idHash == h && equals(r.idBytes, buffer, offset, length))
            {
                return r;
            }
        }
    }

    MemberRecord find(final byte[] bytes, final int start, final int length)
    {
        final int h = hash(bytes, start, length);
        final int mask = index.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask)
        {
            final MemberRecord r = index[i];
            if (r == null)
            {
                return null;
            }
            if (r.idHash == h && java.util.Arrays.equals(r.idBytes, 0, r.idBytes.length, bytes, start, start + length))
            {
                return r;
            }
        }
    }

    MemberRecord find(final byte[] id)
    {
        return find(id, 0, id.length);
    }

    MemberRecord find(final String id)
    {
        return find(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Adds a new member at a random place in the probe order, so new members are not all probed last.
     */
    void add(final MemberRecord record, final SplittableRandom random)
    {
        if (size == members.length)
        {
            members = java.util.Arrays.copyOf(members, size * 2);
        }
        members[size++] = record;
        if (size > 1)
        {
            final int j = random.nextInt(size);
            final MemberRecord other = members[j];
            members[j] = record;
            members[size - 1] = other;
        }
        if (size * 2 > index.length)
        {
            rebuildIndex(index.length * 2);
        }
        else
        {
            insert(index, record);
        }
        if (!record.state.isDeadOrLeft())
        {
            liveCount++;
        }
    }

    void remove(final MemberRecord record)
    {
        for (int i = 0; i < size; i++)
        {
            if (members[i] == record)
            {
                System.arraycopy(members, i + 1, members, i, size - i - 1);
                members[--size] = null;
                if (!record.state.isDeadOrLeft())
                {
                    liveCount--;
                }
                rebuildIndex(index.length);
                return;
            }
        }
    }

    /**
     * Changes a member's state, keeping {@link #liveCount()} right.
     */
    void state(final MemberRecord record, final MemberState state, final long nowNs)
    {
        final boolean wasLive = !record.state.isDeadOrLeft();
        final boolean isLive = !state.isDeadOrLeft();
        if (wasLive != isLive)
        {
            liveCount += isLive ? 1 : -1;
        }
        record.state = state;
        record.stateChangeNs = nowNs;
    }

    void shuffle(final SplittableRandom random)
    {
        for (int i = size - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final MemberRecord tmp = members[i];
            members[i] = members[j];
            members[j] = tmp;
        }
    }

    private void rebuildIndex(final int capacity)
    {
        final MemberRecord[] newIndex = new MemberRecord[capacity];
        for (int i = 0; i < size; i++)
        {
            insert(newIndex, members[i]);
        }
        index = newIndex;
    }

    private static void insert(final MemberRecord[] index, final MemberRecord record)
    {
        final int mask = index.length - 1;
        int i = record.idHash & mask;
        while (index[i] != null)
        {
            i = (i + 1) & mask;
        }
        index[i] = record;
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
