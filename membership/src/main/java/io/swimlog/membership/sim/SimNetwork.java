package io.swimlog.membership.sim;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A deterministic datagram network in virtual time: one event queue of datagram deliveries and node timers,
 * ordered by time and then by the order they were scheduled, so that a seed replays a run exactly.
 * <p>
 * Faults: loss (everywhere or per link), delay with jitter (everywhere or per link), partitions into groups,
 * one-way cuts, and nodes that are down (datagrams to them vanish).
 * <p>
 * Built for 10,000 nodes: events live in primitive arrays (a binary heap of event ids); datagram bytes are
 * stored at their real length, one after another, in chunks of {@link #CHUNK_LENGTH} bytes. A chunk is recycled
 * once every datagram in it has been delivered or dropped, so memory follows the bytes in flight (a join storm of
 * a million datagrams holds about their total length, never one array past 2^31), and steady-state running
 * allocates nothing.
 * <p>
 * Invariants: {@code chunkLive[c]} counts the datagrams scheduled in chunk {@code c} and not yet delivered; a
 * chunk is on the free stack only when that count is zero and it is not the chunk being filled.
 * Not thread safe: a simulation runs on one thread.
 */
public final class SimNetwork
{
    /** The largest datagram the network carries; larger sends are dropped and counted. */
    public static final int MAX_DATAGRAM_LENGTH = 2048;

    /** Bytes per storage chunk: large enough to hold hundreds of datagrams, small enough to recycle promptly. */
    static final int CHUNK_LENGTH = 256 * 1024;

    /** Receives what the network delivers. */
    public interface Handler
    {
        void onDatagram(int node, DirectBuffer buffer, int offset, int length);

        void onTimer(int node, int generation);
    }

    /** Conditions of one directed link, overriding the network's defaults. */
    public record Link(double loss, long delayNs, long jitterNs)
    {
    }

    private static final int KIND_DELIVER = 0;
    private static final int KIND_TIMER = 1;

    private final SplittableRandom random;
    private final Object2IntHashMap<String> endpoints = new Object2IntHashMap<>(-1);
    private final LongHashSet cuts = new LongHashSet();
    private final Long2ObjectHashMap<Link> links = new Long2ObjectHashMap<>();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    private long nowNs;
    private long sequence;
    private double loss;
    private long delayNs = 500_000;
    private long jitterNs = 200_000;
    private int[] group = new int[16];
    private boolean[] up = new boolean[16];

    // Events, by id.
    private long[] eventTime = new long[1024];
    private long[] eventSequence = new long[1024];
    private int[] eventKind = new int[1024];
    private int[] eventNode = new int[1024];
    private int[] eventArg = new int[1024];
    private int[] eventLength = new int[1024];
    private int[] eventOffset = new int[1024];
    private int[] freeEvents = new int[1024];
    private int freeEventCount;
    private int eventCapacityUsed;
    private int[] heap = new int[1024];
    private int heapSize;

    // Datagram bytes: chunks filled one after another; the chunk being filled is `fillChunk` up to `fillOffset`.
    private byte[][] chunks = new byte[4][];
    private int[] chunkLive = new int[4];
    private int chunkCount;
    private int[] freeChunks = new int[4];
    private int freeChunkCount;
    private int fillChunk = -1;
    private int fillOffset;
    private long bytesInFlight;
    private long peakBytesInFlight;

    private long sent;
    private long dropped;
    private long delivered;

    public SimNetwork(final long seed)
    {
        random = new SplittableRandom(seed);
    }

    public long nowNs()
    {
        return nowNs;
    }

    public SplittableRandom random()
    {
        return random;
    }

    /**
     * Registers a node's endpoint; nodes are numbered from 0 by the caller.
     */
    public void attach(final int node, final String endpoint)
    {
        ensureNode(node);
        endpoints.put(endpoint, node);
    }

    public void up(final int node, final boolean isUp)
    {
        ensureNode(node);
        up[node] = isUp;
    }

    public boolean isUp(final int node)
    {
        return up[node];
    }

    public SimNetwork loss(final double loss)
    {
        this.loss = loss;
        return this;
    }

    public double loss()
    {
        return loss;
    }

    public SimNetwork delay(final long delayNs, final long jitterNs)
    {
        this.delayNs = delayNs;
        this.jitterNs = jitterNs;
        return this;
    }

    /**
     * Sets the conditions of the link from one node to another (null restores the defaults).
     */
    public void link(final int from, final int to, final Link link)
    {
        if (link == null)
        {
            links.remove(key(from, to));
        }
        else
        {
            links.put(key(from, to), link);
        }
    }

    /**
     * Puts a node in a partition group: datagrams flow only between nodes of the same group.
     */
    public void group(final int node, final int groupId)
    {
        ensureNode(node);
        group[node] = groupId;
    }

    /**
     * Ends every partition.
     */
    public void heal()
    {
        Arrays.fill(group, 0);
    }

    /**
     * Drops every datagram from one node to another (one direction only).
     */
    public void cut(final int from, final int to)
    {
        cuts.add(key(from, to));
    }

    public void uncut(final int from, final int to)
    {
        cuts.remove(key(from, to));
    }

    public long sent()
    {
        return sent;
    }

    public long dropped()
    {
        return dropped;
    }

    public long delivered()
    {
        return delivered;
    }

    /**
     * Sends a datagram from a node to an endpoint; it arrives after the link's delay unless a fault drops it.
     *
     * @return true (like UDP, a send succeeds whether or not the datagram arrives), false only if too large.
     */
    public boolean send(
        final int from, final String endpoint, final DirectBuffer buffer, final int offset, final int length)
    {
        sent++;
        if (length > MAX_DATAGRAM_LENGTH)
        {
            dropped++;
            return false;
        }
        final int to = endpoints.getValue(endpoint);
        final Link link = links.isEmpty() || to < 0 ? null : links.get(key(from, to));
        final double linkLoss = link != null ? link.loss() : loss;
        if (to < 0 || !up[to] || group[from] != group[to] || (!cuts.isEmpty() && cuts.contains(key(from, to))) ||
            (linkLoss > 0 && random.nextDouble() < linkLoss))
        {
            dropped++;
            return true;
        }
        final long linkDelay = link != null ? link.delayNs() : delayNs;
        final long linkJitter = link != null ? link.jitterNs() : jitterNs;
        final long delay = linkDelay + (linkJitter > 0 ? random.nextLong(linkJitter + 1) : 0);
        final int chunk = claimSpace(length);
        final int at = fillOffset;
        buffer.getBytes(offset, chunks[chunk], at, length);
        fillOffset += length;
        chunkLive[chunk]++;
        bytesInFlight += length;
        peakBytesInFlight = Math.max(peakBytesInFlight, bytesInFlight);
        schedule(nowNs + delay, KIND_DELIVER, to, chunk, length, at);
        return true;
    }

    /**
     * Schedules a timer event for a node; the handler receives the generation back, to ignore timers of a
     * node's previous life.
     */
    public void scheduleTimer(final int node, final long atNs, final int generation)
    {
        schedule(Math.max(atNs, nowNs), KIND_TIMER, node, generation, 0, 0);
    }

    /**
     * Runs events until the queue is empty or the next one is after {@code untilNs}; the clock ends at
     * {@code untilNs}.
     */
    public void runUntil(final long untilNs, final Handler handler)
    {
        while (heapSize > 0)
        {
            final int id = heap[0];
            if (eventTime[id] > untilNs)
            {
                break;
            }
            popHead();
            nowNs = eventTime[id];
            final int node = eventNode[id];
            final int arg = eventArg[id];
            final int kind = eventKind[id];
            final int length = eventLength[id];
            final int at = eventOffset[id];
            freeEvents[freeEventCount++] = id;
            if (kind == KIND_DELIVER)
            {
                if (up[node])
                {
                    delivered++;
                    view.wrap(chunks[arg], at, length);
                    handler.onDatagram(node, view, 0, length);
                }
                else
                {
                    dropped++;
                }
                releaseSpace(arg, length);
            }
            else
            {
                handler.onTimer(node, arg);
            }
        }
        nowNs = Math.max(nowNs, untilNs);
    }

    private static long key(final int from, final int to)
    {
        return ((long)from << 32) | (to & 0xFFFF_FFFFL);
    }

    private void ensureNode(final int node)
    {
        if (node >= group.length)
        {
            final int capacity = Math.max(node + 1, group.length * 2);
            group = Arrays.copyOf(group, capacity);
            up = Arrays.copyOf(up, capacity);
        }
    }

    /**
     * Where the next {@code length} bytes go: the chunk being filled when they fit, else a recycled or new chunk.
     */
    private int claimSpace(final int length)
    {
        if (fillChunk >= 0 && fillOffset + length <= CHUNK_LENGTH)
        {
            return fillChunk;
        }
        final int previous = fillChunk;
        if (freeChunkCount > 0)
        {
            fillChunk = freeChunks[--freeChunkCount];
        }
        else
        {
            if (chunkCount == chunks.length)
            {
                chunks = Arrays.copyOf(chunks, chunkCount * 2);
                chunkLive = Arrays.copyOf(chunkLive, chunkCount * 2);
                freeChunks = Arrays.copyOf(freeChunks, chunkCount * 2);
            }
            chunks[chunkCount] = new byte[CHUNK_LENGTH];
            fillChunk = chunkCount++;
        }
        fillOffset = 0;
        if (previous >= 0 && chunkLive[previous] == 0)
        {
            freeChunks[freeChunkCount++] = previous;
        }
        return fillChunk;
    }

    private void releaseSpace(final int chunk, final int length)
    {
        bytesInFlight -= length;
        if (--chunkLive[chunk] == 0)
        {
            if (chunk == fillChunk)
            {
                fillOffset = 0; // empty: fill it again from the start
            }
            else
            {
                freeChunks[freeChunkCount++] = chunk;
            }
        }
    }

    /**
     * Bytes of datagrams sent and not yet delivered or dropped.
     */
    public long bytesInFlight()
    {
        return bytesInFlight;
    }

    /**
     * The most bytes ever in flight at once.
     */
    public long peakBytesInFlight()
    {
        return peakBytesInFlight;
    }

    /**
     * Bytes held for datagrams, in use or free: what the network costs in memory.
     */
    public long storageBytes()
    {
        return (long)chunkCount * CHUNK_LENGTH;
    }

    private void schedule(
        final long atNs, final int kind, final int node, final int arg, final int length, final int offset)
    {
        final int id;
        if (freeEventCount > 0)
        {
            id = freeEvents[--freeEventCount];
        }
        else
        {
            if (eventCapacityUsed == eventTime.length)
            {
                final int capacity = eventTime.length * 2;
                eventTime = Arrays.copyOf(eventTime, capacity);
                eventSequence = Arrays.copyOf(eventSequence, capacity);
                eventKind = Arrays.copyOf(eventKind, capacity);
                eventNode = Arrays.copyOf(eventNode, capacity);
                eventArg = Arrays.copyOf(eventArg, capacity);
                eventLength = Arrays.copyOf(eventLength, capacity);
                eventOffset = Arrays.copyOf(eventOffset, capacity);
                freeEvents = Arrays.copyOf(freeEvents, capacity);
                heap = Arrays.copyOf(heap, capacity);
            }
            id = eventCapacityUsed++;
        }
        eventTime[id] = atNs;
        eventSequence[id] = sequence++;
        eventKind[id] = kind;
        eventNode[id] = node;
        eventArg[id] = arg;
        eventLength[id] = length;
        eventOffset[id] = offset;

        int i = heapSize++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!before(id, heap[parent]))
            {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = id;
    }

    private void popHead()
    {
        final int last = heap[--heapSize];
        int i = 0;
        final int half = heapSize >>> 1;
        while (i < half)
        {
            int child = 2 * i + 1;
            final int right = child + 1;
            if (right < heapSize && before(heap[right], heap[child]))
            {
                child = right;
            }
            if (!before(heap[child], last))
            {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        if (heapSize > 0)
        {
            heap[i] = last;
        }
    }

    private boolean before(final int a, final int b)
    {
        final long ta = eventTime[a];
        final long tb = eventTime[b];
        return ta < tb || (ta == tb && eventSequence[a] < eventSequence[b]);
    }
}
