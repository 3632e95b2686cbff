package io.swimlog.broker;

import org.agrona.collections.Long2ObjectHashMap;

import java.nio.ByteBuffer;

/**
 * Idempotent-producer state of one partition: for each producer id, its epoch, the last sequence appended and the
 * first and last sequence and base offset of its last {@link #CACHED_BATCHES} batches, as Kafka keeps them.
 * <p>
 * A batch from producer (id, epoch) with sequences [first, last] is, in this order:
 * <ul>
 *     <li>{@link #FENCED} if its epoch is older than the producer's current one;</li>
 *     <li>{@link #DUPLICATE} if it matches one of the cached batches exactly: it was appended already, and
 *     {@link #duplicateBaseOffset()} is the offset it got, to answer the retry with;</li>
 *     <li>{@link #APPEND} if it follows on: first == last appended + 1 (wrapping at {@link Integer#MAX_VALUE}),
 *     or first == 0 for a new producer or a new epoch;</li>
 *     <li>{@link #UNKNOWN_PRODUCER} for a new producer or epoch starting elsewhere than 0, else
 *     {@link #OUT_OF_ORDER}: a gap, or an old batch no longer cached.</li>
 * </ul>
 * Invariant: only {@link #update} after a successful append changes the state, so a refused batch leaves no trace.
 * <p>
 * Not thread safe: owned by the broker conductor. Allocates one entry per producer per partition, never per batch.
 */
final class ProducerStateTable
{
    static final int APPEND = 0;
    static final int DUPLICATE = 1;
    static final int OUT_OF_ORDER = 2;
    static final int FENCED = 3;
    static final int UNKNOWN_PRODUCER = 4;

    /**
     * Batches remembered per producer: at least a producer's max in flight (5), so any retry of an unanswered
     * batch is recognised.
     */
    static final int CACHED_BATCHES = 5;

    private final Long2ObjectHashMap<Entry> entries = new Long2ObjectHashMap<>();
    private long duplicateBaseOffset;
    private int expectedSequence;

    /**
     * Decide what to do with a batch; changes nothing.
     *
     * @return one of {@link #APPEND}, {@link #DUPLICATE}, {@link #OUT_OF_ORDER}, {@link #FENCED},
     * {@link #UNKNOWN_PRODUCER}.
     */
    int check(final long producerId, final short epoch, final int firstSequence, final int lastSequence)
    {
        final Entry entry = entries.get(producerId);
        if (null == entry || epoch > entry.epoch)
        {
            expectedSequence = 0;
            return 0 == firstSequence ? APPEND : UNKNOWN_PRODUCER;
        }
        if (epoch < entry.epoch)
        {
            return FENCED;
        }

        for (int i = 0; i < entry.count; i++)
        {
            if (entry.firstSequences[i] == firstSequence && entry.lastSequences[i] == lastSequence)
            {
                duplicateBaseOffset = entry.baseOffsets[i];
                return DUPLICATE;
            }
        }

        expectedSequence = increment(entry.lastSequence, 1);
        return firstSequence == expectedSequence ? APPEND : OUT_OF_ORDER;
    }

    /**
     * Record an appended batch.
     */
    void update(
        final long producerId, final short epoch, final int firstSequence, final int lastSequence, final long baseOffset)
    {
        Entry entry = entries.get(producerId);
        if (null == entry)
        {
            entry = new Entry();
            entries.put(producerId, entry);
        }
        if (epoch != entry.epoch)
        {
            entry.epoch = epoch;
            entry.count = 0;
            entry.next = 0;
        }
        entry.lastSequence = lastSequence;
        entry.firstSequences[entry.next] = firstSequence;
        entry.lastSequences[entry.next] = lastSequence;
        entry.baseOffsets[entry.next] = baseOffset;
        entry.next = (entry.next + 1) % CACHED_BATCHES;
        entry.count = Math.min(entry.count + 1, CACHED_BATCHES);
    }

    /**
     * @return base offset of the batch {@link #check} last found to be a duplicate.
     */
    long duplicateBaseOffset()
    {
        return duplicateBaseOffset;
    }

    /**
     * @return the sequence {@link #check} last expected, for error messages.
     */
    int expectedSequence()
    {
        return expectedSequence;
    }

    int producerCount()
    {
        return entries.size();
    }

    /** Bytes one producer takes in {@link #writeTo}. */
    static final int ENCODED_ENTRY_LENGTH = Long.BYTES + Short.BYTES + 3 * Integer.BYTES +
        CACHED_BATCHES * (2 * Integer.BYTES + Long.BYTES);

    /**
     * Writes every producer's state at the buffer's position: {@link #ENCODED_ENTRY_LENGTH} bytes each.
     */
    void writeTo(final ByteBuffer buffer)
    {
        final Long2ObjectHashMap<Entry>.EntryIterator iterator = entries.entrySet().iterator();
        while (iterator.hasNext())
        {
            iterator.next();
            final Entry entry = iterator.getValue();
            buffer.putLong(iterator.getLongKey()).putShort(entry.epoch).putInt(entry.lastSequence)
                .putInt(entry.count).putInt(entry.next);
            for (int i = 0; i < CACHED_BATCHES; i++)
            {
                buffer.putInt(entry.firstSequences[i]).putInt(entry.lastSequences[i]).putLong(entry.baseOffsets[i]);
            }
        }
    }

    /**
     * Replaces the state with {@code count} producers read from the buffer's position, as {@link #writeTo} wrote
     * them.
     *
     * @throws IllegalArgumentException if an entry is out of range; the table is then empty.
     */
    void readFrom(final ByteBuffer buffer, final int count)
    {
        entries.clear();
        for (int n = 0; n < count; n++)
        {
            final long producerId = buffer.getLong();
            final Entry entry = new Entry();
            entry.epoch = buffer.getShort();
            entry.lastSequence = buffer.getInt();
            entry.count = buffer.getInt();
            entry.next = buffer.getInt();
            for (int i = 0; i < CACHED_BATCHES; i++)
            {
                entry.firstSequences[i] = buffer.getInt();
                entry.lastSequences[i] = buffer.getInt();
                entry.baseOffsets[i] = buffer.getLong();
            }
            if (entry.count < 0 || entry.count > CACHED_BATCHES || entry.next < 0 || entry.next >= CACHED_BATCHES ||
                entry.lastSequence < -1 || null != entries.put(producerId, entry))
            {
                entries.clear();
                throw new IllegalArgumentException("producer " + producerId + " is out of range or repeated");
            }
        }
    }

    /**
     * @return sequence after adding {@code increment}, wrapping from {@link Integer#MAX_VALUE} to 0 as Kafka does.
     */
    static int increment(final int sequence, final int increment)
    {
        return sequence > Integer.MAX_VALUE - increment ? increment - (Integer.MAX_VALUE - sequence) - 1 :
            sequence + increment;
    }

    private static final class Entry
    {
        short epoch = Short.MIN_VALUE;
        int lastSequence = -1;
        final int[] firstSequences = new int[CACHED_BATCHES];
        final int[] lastSequences = new int[CACHED_BATCHES];
        final long[] baseOffsets = new long[CACHED_BATCHES];
        int count;
        int next;
    }
}
