package io.swimlog.membership;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;

/**
 * A transmit-limited queue of encoded messages waiting to be piggybacked (memberlist's TransmitLimitedQueue).
 * Each message is sent about {@code retransmitMult * ceil(log10(N + 1))} times, least-sent first and, among
 * equally sent ones, newest first, so fresh news overtakes old news and nothing is sent forever.
 * <p>
 * Entries live in one intrusive list per transmit count, so taking the next messages costs only what is taken.
 * A message about a member replaces the queued one about the same member (it is newer by the incarnation
 * rules of the caller).
 * <p>
 * The queue holds at most {@code capacity} messages. When updates arrive faster than piggybacking can send them
 * their full count (every member's false suspicions and refutations at 10% loss in a cluster of thousands), the
 * least-sent-first order starves the most-sent messages, which would otherwise wait, unsent, until the queue held
 * one message about every member (N per member, N^2 in a simulator that hosts them all). A full queue therefore
 * drops its most-sent message, the oldest among equally sent ones: the one least likely to be sent again, and the
 * one whose news has already gone furthest (push-pull repairs whoever missed it).
 * <p>
 * Layout: columns. An entry is an index into parallel primitive arrays (links, transmit count, owner, order,
 * generation, and where its bytes are), and the bytes of every message sit one after another in one slab, so a
 * queue is a handful of arrays however many messages it holds: a simulator hosting 10,000 members and their 2 x
 * 10^7 queued updates does not ask the collector to trace 6 x 10^7 objects (an entry, a copied payload and the
 * owner's link to it, ~180 bytes an update before). Freed bytes are reclaimed by compacting the slab, in place,
 * when an append does not fit; the slab and the columns grow only while the queue holds more than ever before, so
 * in steady state adding, sending and dropping allocate nothing. Invariants: an entry is in exactly one of the
 * bucket lists (by its transmit count) or the free list; the bytes of queued entries do not overlap and lie below
 * {@code slabUsed} in the order they were added; {@code entryByOwner[slot]} is the one queued entry that slot owns.
 * <p>
 * Not thread safe: owned by the membership thread.
 */
final class BroadcastQueue
{
    /** No entry. */
    static final int NONE = -1;
    /** Transmit counts are capped here; {@link #retransmitLimit} never asks for more. */
    static final int MAX_TRANSMITS = 64;
    private static final int MAX_TAKEN = 128;
    private static final int MAX_SKIPPED = 64;
    private static final int INITIAL_ENTRIES = 16;
    private static final int INITIAL_SLAB = 1024;

    private final int capacity;
    private final int[] heads = new int[MAX_TRANSMITS];
    private final int[] tails = new int[MAX_TRANSMITS];
    private final int[] taken = new int[MAX_TAKEN];

    // Columns, by entry.
    private int[] next = new int[0];
    private int[] prev = new int[0];
    private int[] offsets = new int[0];
    private int[] lengths = new int[0];
    private byte[] transmits = new byte[0];
    private int[] owners = new int[0];
    private int[] generations = new int[0];
    private long[] orders = new long[0];

    /** Message bytes, in the order they were added; {@code slabLive} of the {@code slabUsed} are still queued. */
    private byte[] slab = new byte[0];
    private int slabUsed;
    private int slabLive;
    /** Queued entries by offset, for compaction. */
    private long[] byOffset = new long[0];

    /** The queued entry each member slot owns, or {@link #NONE}. */
    private int[] entryByOwner = new int[0];

    private int free = NONE;
    private long order;
    private int size;
    private long evictions;

    /**
     * An unbounded queue.
     */
    BroadcastQueue()
    {
        this(Integer.MAX_VALUE);
    }

    /**
     * @param capacity the most messages held at once (at least 1); beyond it the most-sent one is dropped.
     */
    BroadcastQueue(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        Arrays.fill(heads, NONE);
        Arrays.fill(tails, NONE);
        Arrays.fill(taken, NONE);
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
     * The queued entry about the member in {@code slot}, or {@link #NONE}.
     */
    int queuedFor(final int slot)
    {
        return slot < entryByOwner.length ? entryByOwner[slot] : NONE;
    }

    /**
     * Changes each time {@code entry} leaves the queue (sent its count, replaced, dropped), so a holder of an entry
     * can tell when its message has gone.
     */
    int generation(final int entry)
    {
        return generations[entry];
    }

    /**
     * Bytes the slab holds for queued messages, and its length: for tests and sizing.
     */
    int slabLive()
    {
        return slabLive;
    }

    int slabLength()
    {
        return slab.length;
    }

    /**
     * Queues {@code length} bytes of an encoded message. A message with an owner (a slot of the table, else
     * {@link MemberTable#NONE}) replaces the owner's queued one; else, when the queue is full, the most-sent
     * message (the oldest among those) makes room.
     *
     * @return the entry, whose {@link #generation} the caller may watch to learn when it has been sent out.
     */
    int add(final int owner, final DirectBuffer buffer, final int offset, final int length)
    {
        if (owner != MemberTable.NONE)
        {
            final int queued = queuedFor(owner);
            if (queued != NONE)
            {
                release(queued);
            }
        }
        if (size >= capacity)
        {
            evictMostSent();
        }
        final int e = allocate();
        final int at = reserve(length);
        buffer.getBytes(offset, slab, at, length);
        offsets[e] = at;
        lengths[e] = length;
        transmits[e] = 0;
        owners[e] = owner;
        orders[e] = ++order;
        insert(e, 0);
        if (owner != MemberTable.NONE)
        {
            ownerSlot(owner);
            entryByOwner[owner] = e;
        }
        size++;
        return e;
    }

    /**
     * Copies as many queued messages as fit into {@code maxBytes} of {@code dst} at {@code offset}, least-sent
     * first, counting one transmission for each and dropping those that reach {@code limit} (at most
     * {@code MAX_TRANSMITS - 1}, as {@link #retransmitLimit} gives).
     *
     * @return the bytes written.
     */
    int fill(final MutableDirectBuffer dst, final int offset, final int maxBytes, final int limit)
    {
        final int sendLimit = Math.min(limit, MAX_TRANSMITS - 1);
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
            for (int e = heads[t]; e != NONE; e = next[e])
            {
                final int length = lengths[e];
                if (length <= maxBytes - written)
                {
                    dst.putBytes(offset + written, slab, offsets[e], length);
                    written += length;
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
            final int e = taken[i];
            taken[i] = NONE;
            unlink(e);
            final int sent = transmits[e] + 1;
            if (sent >= sendLimit)
            {
                recycle(e);
            }
            else
            {
                transmits[e] = (byte)sent;
                insert(e, sent);
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
        final int queued = queuedFor(slot);
        if (queued != NONE)
        {
            owners[queued] = MemberTable.NONE;
            entryByOwner[slot] = NONE;
        }
    }

    /**
     * Drops every queued message.
     */
    void clear()
    {
        for (int t = 0; t < MAX_TRANSMITS; t++)
        {
            while (heads[t] != NONE)
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
            final int tail = tails[t];
            if (tail != NONE)
            {
                release(tail);
                evictions++;
                return;
            }
        }
    }

    private void release(final int e)
    {
        unlink(e);
        recycle(e);
    }

    private void recycle(final int e)
    {
        final int owner = owners[e];
        if (owner != MemberTable.NONE && entryByOwner[owner] == e)
        {
            entryByOwner[owner] = NONE;
        }
        owners[e] = MemberTable.NONE;
        generations[e]++;
        slabLive -= lengths[e];
        lengths[e] = 0;
        prev[e] = NONE;
        next[e] = free;
        free = e;
        size--;
    }

    private int allocate()
    {
        if (free == NONE)
        {
            growEntries();
        }
        final int e = free;
        free = next[e];
        next[e] = NONE;
        prev[e] = NONE;
        return e;
    }

    /**
     * Doubles the columns (never past the capacity, plus one for the entry being added while a full queue's
     * victim is freed first) and threads the new entries onto the free list.
     */
    private void growEntries()
    {
        final int old = next.length;
        final int grown = (int)Math.min(Math.max(INITIAL_ENTRIES, 2L * old), Math.max(old + 1L, capacity));
        next = Arrays.copyOf(next, grown);
        prev = Arrays.copyOf(prev, grown);
        offsets = Arrays.copyOf(offsets, grown);
        lengths = Arrays.copyOf(lengths, grown);
        transmits = Arrays.copyOf(transmits, grown);
        owners = Arrays.copyOf(owners, grown);
        generations = Arrays.copyOf(generations, grown);
        orders = Arrays.copyOf(orders, grown);
        byOffset = new long[grown];
        for (int e = grown - 1; e >= old; e--)
        {
            owners[e] = MemberTable.NONE;
            prev[e] = NONE;
            next[e] = free;
            free = e;
        }
    }

    private void ownerSlot(final int owner)
    {
        if (owner >= entryByOwner.length)
        {
            final int old = entryByOwner.length;
            entryByOwner = Arrays.copyOf(entryByOwner, Math.max(owner + 1, Math.max(16, old * 2)));
            Arrays.fill(entryByOwner, old, entryByOwner.length, NONE);
        }
    }

    /**
     * Room for {@code length} bytes at the end of the slab: compacts it when at least half is free, else grows it.
     *
     * @return where the bytes go.
     */
    private int reserve(final int length)
    {
        if (slabUsed + length > slab.length)
        {
            final int needed = slabLive + length;
            if (needed <= slab.length / 2)
            {
                compact(slab);
            }
            else
            {
                final long grown = Math.max((long)INITIAL_SLAB, Math.max(2L * needed, (long)slab.length));
                compact(new byte[(int)Math.min(Integer.MAX_VALUE - 8, grown)]);
            }
        }
        final int at = slabUsed;
        slabUsed += length;
        slabLive += length;
        return at;
    }

    /**
     * Moves the queued messages' bytes to the start of {@code target} (the slab itself, or a larger one), keeping
     * their order: sorted by offset, each moves down or stays, so an in-place copy never overwrites bytes not yet
     * moved.
     */
    private void compact(final byte[] target)
    {
        int count = 0;
        for (int t = 0; t < MAX_TRANSMITS; t++)
        {
            for (int e = heads[t]; e != NONE; e = next[e])
            {
                byOffset[count++] = ((long)offsets[e] << 32) | e;
            }
        }
        // Not Arrays.sort: on runs that are already sorted (these mostly are) it allocates a merge buffer.
        heapSort(byOffset, count);
        int position = 0;
        for (int i = 0; i < count; i++)
        {
            final int e = (int)byOffset[i];
            final int length = lengths[e];
            System.arraycopy(slab, offsets[e], target, position, length);
            offsets[e] = position;
            position += length;
        }
        slab = target;
        slabUsed = position;
    }

    /**
     * Sorts the first {@code count} values ascending, in place, allocating nothing.
     */
    static void heapSort(final long[] values, final int count)
    {
        for (int i = count / 2 - 1; i >= 0; i--)
        {
            siftDown(values, i, count);
        }
        for (int end = count - 1; end > 0; end--)
        {
            final long top = values[0];
            values[0] = values[end];
            values[end] = top;
            siftDown(values, 0, end);
        }
    }

    private static void siftDown(final long[] values, final int from, final int count)
    {
        int i = from;
        final long value = values[i];
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= count)
            {
                break;
            }
            if (child + 1 < count && values[child + 1] > values[child])
            {
                child++;
            }
            if (values[child] <= value)
            {
                break;
            }
            values[i] = values[child];
            i = child;
        }
        values[i] = value;
    }

    /**
     * Links an entry into its bucket, newest first: at the head when it is the newest (always for new entries, and
     * usually for entries moving up together), else walking from the tail, where older entries arrive.
     */
    private void insert(final int e, final int bucket)
    {
        final int head = heads[bucket];
        if (head == NONE || orders[head] < orders[e])
        {
            prev[e] = NONE;
            next[e] = head;
            if (head != NONE)
            {
                prev[head] = e;
            }
            else
            {
                tails[bucket] = e;
            }
            heads[bucket] = e;
            return;
        }
        int after = tails[bucket];
        while (after != NONE && orders[after] < orders[e])
        {
            after = prev[after];
        }
        prev[e] = after;
        if (after == NONE)
        {
            next[e] = heads[bucket];
            heads[bucket] = e;
        }
        else
        {
            next[e] = next[after];
            next[after] = e;
        }
        if (next[e] != NONE)
        {
            prev[next[e]] = e;
        }
        else
        {
            tails[bucket] = e;
        }
    }

    private void unlink(final int e)
    {
        final int bucket = transmits[e];
        final int p = prev[e];
        final int n = next[e];
        if (p != NONE)
        {
            next[p] = n;
        }
        else
        {
            heads[bucket] = n;
        }
        if (n != NONE)
        {
            prev[n] = p;
        }
        else
        {
            tails[bucket] = p;
        }
        prev[e] = NONE;
        next[e] = NONE;
    }
}
