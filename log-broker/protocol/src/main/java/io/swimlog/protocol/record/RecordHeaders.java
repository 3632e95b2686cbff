package io.swimlog.protocol.record;

import org.agrona.DirectBuffer;

/**
 * A reusable list of record headers (key, value) handed to {@link RecordBatchBuilder}: it holds references to the
 * caller's buffers, not copies. Grows once to the largest count used, then allocates nothing.
 * <p>
 * Not thread safe.
 */
public final class RecordHeaders
{
    private DirectBuffer[] keyBuffers = new DirectBuffer[4];
    private int[] keyOffsets = new int[4];
    private int[] keyLengths = new int[4];
    private DirectBuffer[] valueBuffers = new DirectBuffer[4];
    private int[] valueOffsets = new int[4];
    private int[] valueLengths = new int[4];
    private int count;

    /**
     * @return this, emptied.
     */
    public RecordHeaders clear()
    {
        for (int i = 0; i < count; i++)
        {
            keyBuffers[i] = null;
            valueBuffers[i] = null;
        }
        count = 0;

        return this;
    }

    /**
     * @param key         buffer holding the header key (UTF-8 by convention), never null.
     * @param keyOffset   of the key.
     * @param keyLength   of the key, at least 0.
     * @param value       buffer holding the value, or null for a null value.
     * @param valueOffset of the value.
     * @param valueLength of the value, or -1 for a null value.
     * @return this for a fluent API.
     */
    public RecordHeaders add(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength)
    {
        if (null == key || keyLength < 0)
        {
            throw new IllegalArgumentException("header key must not be null");
        }

        if (count == keyBuffers.length)
        {
            grow();
        }

        keyBuffers[count] = key;
        keyOffsets[count] = keyOffset;
        keyLengths[count] = keyLength;
        valueBuffers[count] = value;
        valueOffsets[count] = valueOffset;
        valueLengths[count] = null == value ? -1 : valueLength;
        count++;

        return this;
    }

    public int count()
    {
        return count;
    }

    DirectBuffer keyBuffer(final int i)
    {
        return keyBuffers[i];
    }

    int keyOffset(final int i)
    {
        return keyOffsets[i];
    }

    int keyLength(final int i)
    {
        return keyLengths[i];
    }

    DirectBuffer valueBuffer(final int i)
    {
        return valueBuffers[i];
    }

    int valueOffset(final int i)
    {
        return valueOffsets[i];
    }

    int valueLength(final int i)
    {
        return valueLengths[i];
    }

    /**
     * @return the encoded size of the headers: count varint plus every entry.
     */
    int encodedLength()
    {
        int length = Varint.sizeOfVarint(count);
        for (int i = 0; i < count; i++)
        {
            length += Varint.sizeOfVarint(keyLengths[i]) + keyLengths[i];
            length += Varint.sizeOfVarint(valueLengths[i]) + Math.max(0, valueLengths[i]);
        }

        return length;
    }

    private void grow()
    {
        final int length = keyBuffers.length * 2;
        keyBuffers = java.util.Arrays.copyOf(keyBuffers, length);
        keyOffsets = java.util.Arrays.copyOf(keyOffsets, length);
        keyLengths = java.util.Arrays.copyOf(keyLengths, length);
        valueBuffers = java.util.Arrays.copyOf(valueBuffers, length);
        valueOffsets = java.util.Arrays.copyOf(valueOffsets, length);
        valueLengths = java.util.Arrays.copyOf(valueLengths, length);
    }
}
