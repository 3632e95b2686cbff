package io.swimlog.membership;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A transmit-limited queue of encoded messages waiting to be piggybacked (memberlist's TransmitLimitedQueue).
 * Each message is sent about {@code retransmitMult * ceil(log10(N + 1))} times, least-sent first and, among
 * equally sent ones, newest first, so fresh news overtakes old news and nothing is sent forever.
 * <p>
 * Entries live in one intrusive list per transmit count, so taking the next messages costs only what is taken.
 * A message about a member replaces the queued one about the same member (it is newer by the incarnation
 * rules of the caller). Entries are pooled; only their payload arrays are allocated, once per update.
 * <p>
 * The queue holds at most {@code capacity} messages. When updates arrive faster than piggybacking can send them
 * their full count (every member's false suspicions and refutations at 10% loss in a cluster of thousands), the
 * least-sent-first order starves the most-sent messages, which would otherwise wait, unsent, until the queue held
 * one message about every member (N per member, N^2 in a simulator that hosts them all). A full queue therefore
 * drops its most-sent message, the oldest among equally sent ones: the one least likely to be sent again, and the
 * one whose news has already gone furthest (push-pull repairs whoever missed it).
 * <p>
 * Not thread safe: owned by the membership thread.
 */
final class BroadcastQueue
{
    /** Transmit counts are capped here; {@link #retransmitLimit} never asks for more. */
    static final int MAX_TRANSMITS = 64;
    private static final int MAX_TAKEN = 128;
    private static final int MAX_SKIPPED = 64;

    /** One queued message. {@link #generation} changes when it leaves the queue, so holders can tell. */
    static final class Entry
    {
        byte[] bytes;
        int length;
        int transmits;
        /** The table slot of the member this update is about, or {@link MemberTable#NONE}. */
        int owner = MemberTable.NONE;
        int generation;
        long order;
        boolean queued;
        Entry prev;
        Entry next;
    }

    private final MemberTable owners;
    private final int capacity;
    private final Entry[] heads = new Entry[MAX_TRANSMITS];
    private final Entry[] tails = new Entry[MAX_TRANSMITS];
    private long order;
    private final Entry[] taken = new Entry[MAX_TAKEN];
    private Entry free;
    private int size;
    private long evictions;

    /**
     * @param owners the table whose members' queued updates this queue keeps ({@link MemberTable#queuedUpdate}).
     */
    BroadcastQueue(final MemberTable owners)
    {
        this(owners, Integer.MAX_VALUE);
    }

    /**
     * @param owners   the table whose members' queued updates this queue keeps ({@link MemberTable#queuedUpdate}).
     * @param capacity the most messages held at once (at least 1); beyond it the most-sent one is dropped.
     */
    BroadcastQueue(final MemberTable owners, final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.owners = owners;
        this.capacity = capacity;
    }

    /**
     * memberlist's retransmit limit: {@code mult * ceil(log10(n + 1))}.
     */
    static int retransmitLimit(final int retransmitMult, final int clusterSize)
    {
        final int nodeScale = (int)Math.ceil(Math.log10(clusterSize + 1.0));
        return Math.max(1, Math.min(MAX_TRANSMITS - 1, retransmitMult * nodeScale));
    }

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    int capacity()
    {
        return capacity;
    }

    /**
     * Messages dropped because the queue was full, since it was made.
     */
    long evictions()
    {
        return evictions;
    }

    /**
     * Queues {@code length} bytes of an encoded message. A message with an owner (a slot of the table, else
     * {@link MemberTable#NONE}) replaces the owner's queued one; else, when the queue is full, the most-sent
     * message (the oldest among those) makes room.
     *
     * @return the entry, whose {@link Entry#generation} the caller may watch to learn when it has been sent out.
     */
    Entry add(final int owner, final DirectBuffer buffer, final int offset, final int length)
    {
        if (owner != MemberTable.NONE)
        {
            final Entry queued = owners.queuedUpdate(owner);
            if (queued != null)
            {
                release(queued);
            }
        }
        if (size >= capacity)
        {
            evictMostSent();
        }
        Entry e = free;
        if (e != null)
        {
            free = e.next;
        }
        else
        {
            e = new Entry();
        }
        if (e.bytes == null || e.bytes.length < length)
        {
            e.bytes = new byte[length];
        }
        buffer.getBytes(offset, e.bytes, 0, length);
        e.length = length;
        e.transmits = 0;
        e.owner = owner;
        e.queued = true;
        e.order = ++order;
        insert(e, 0);
        if (owner != MemberTable.NONE)
        {
            owners.queuedUpdate(owner, e);
        }
        size++;
        return e;
    }

    /**
     * Copies as many queued messages as fit into {@code maxBytes} of {@code dst} at {@code offset}, least-sent
     * first, counting one transmission for each and dropping those that reach {@code limit}.
     *
     * @return the bytes written.
     */
    int fill(final MutableDirectBuffer dst, final int offset, final int maxBytes, final int limit)
    {
        if (size == 0 || maxBytes <= 0)
        {
            return 0;
        }
        int written = 0;
        int takenCount = 0;
        int skipped = 0;
        outer:
        for (int t = 0; t < MAX_TRANSMITS; t++)
        {
            for (Entry e = heads[t]; e != null; e = e.next)
            {
                if (e.length <= maxBytes - written)
                {
                    dst.putBytes(offset + written, e.bytes, 0, e.length);
                    written += e.length;
                    taken[takenCount++] = e;
                    if (takenCount == MAX_TAKEN)
                    {
                        break outer;
                    }
                }
                else if (++skipped > MAX_SKIPPED || maxBytes - written < 16)
                {
                    break outer;
                }
            }
        }
        // Oldest first, so that each lands at the head of its new bucket when it is the newest there.
        for (int i = takenCount - 1; i >= 0; i--)
        {
            final Entry e = taken[i];
            taken[i] = null;
            unlink(e);
            e.transmits++;
            if (e.transmits >= limit)
            {
                recycle(e);
            }
            else
            {
                insert(e, Math.min(e.transmits, MAX_TRANSMITS - 1));
            }
        }
        return written;
    }

    /**
     * The member in {@code slot} is leaving the table: its queued update, if any, goes on being sent but no longer
     * belongs to the slot (which a new member may take).
     */
    void disown(final int slot)
    {
        final Entry queued = owners.queuedUpdate(slot);
        if (queued != null)
        {
            queued.owner = MemberTable.NONE;
            owners.queuedUpdate(slot, null);
        }
    }

    /**
     * Drops every queued message.
     */
    void clear()
    {
        for (int t = 0; t < MAX_TRANSMITS; t++)
        {
            while (heads[t] != null)
            {
                release(heads[t]);
            }
        }
    }

    /**
     * Drops the oldest of the most-sent messages: the tail of the highest non-empty bucket (each bucket is newest
     * first).
     */
    private void evictMostSent()
    {
        for (int t = MAX_TRANSMITS - 1; t >= 0; t--)
        {
            final Entry tail = tails[t];
            if (tail != null)
            {
                release(tail);
                evictions++;
                return;
            }
        }
    }

    private void release(final Entry e)
    {
        unlink(e);
        recycle(e);
    }

    private void recycle(final Entry e)
    {
        if (e.owner != MemberTable.NONE && owners.queuedUpdate(e.owner) == e)
        {
            owners.queuedUpdate(e.owner, null);
        }
        e.owner = MemberTable.NONE;
        e.queued = false;
        e.generation++;
        e.next = free;
        e.prev = null;
        free = e;
        size--;
    }

    /**
     * Links an entry into its bucket, newest first: at the head when it is the newest (always for new entries, and
     * usually for entries moving up together), else walking from the tail, where older entries arrive.
     */
    private void insert(final Entry e, final int bucket)
    {
        final Entry head = heads[bucket];
        if (head == null || head.order < e.order)
        {
            e.prev = null;
            e.next = head;
            if (head != null)
            {
                head.prev = e;
            }
            else
            {
                tails[bucket] = e;
            }
            heads[bucket] = e;
            return;
        }
        Entry after = tails[bucket];
        while (after != null && after.order < e.order)
        {
            after = after.prev;
        }
        e.prev = after;
        if (after == null)
        {
            e.next = heads[bucket];
            heads[bucket] = e;
        }
        else
        {
            e.next = after.next;
            after.next = e;
        }
        if (e.next != null)
        {
            e.next.prev = e;
        }
        else
        {
            tails[bucket] = e;
        }
    }

    private void unlink(final Entry e)
    {
        final int bucket = Math.min(e.transmits, MAX_TRANSMITS - 1);
        if (e.prev != null)
        {
            e.prev.next = e.next;
        }
        else
        {
            heads[bucket] = e.next;
        }
        if (e.next != null)
        {
            e.next.prev = e.prev;
        }
        else
        {
            tails[bucket] = e.prev;
        }
        e.prev = null;
        e.next = null;
    }
}
