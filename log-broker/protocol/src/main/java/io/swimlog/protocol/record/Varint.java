package io.swimlog.protocol.record;

import org.agrona.MutableDirectBuffer;

/**
 * Zig-zag base-128 varint encoding (protobuf's sint32/sint64), used for record framing.
 * Decoding lives in {@link RecordCursor}, which also bounds-checks malformed input.
 */
public final class Varint
{
    /**
     * Most bytes an int varint takes.
     */
    public static final int MAX_INT_BYTES = 5;

    /**
     * Most bytes a long varint takes.
     */
    public static final int MAX_LONG_BYTES = 10;

    private Varint()
    {
    }

    /**
     * @param value to encode.
     * @return bytes {@link #putVarint(MutableDirectBuffer, int, int)} will write for it.
     */
    public static int sizeOfVarint(final int value)
    {
        int v = (value << 1) ^ (value >> 31);
        int bytes = 1;
        while ((v & 0xFFFFFF80) != 0)
        {
            bytes++;
            v >>>= 7;
        }

        return bytes;
    }

    /**
     * @param value to encode.
     * @return bytes {@link #putVarlong(MutableDirectBuffer, int, long)} will write for it.
     */
    public static int sizeOfVarlong(final long value)
    {
        long v = (value << 1) ^ (value >> 63);
        int bytes = 1;
        while ((v & 0xFFFFFFFFFFFFFF80L) != 0L)
        {
            bytes++;
            v >>>= 7;
        }

        return bytes;
    }

    /**
     * @param buffer to write into.
     * @param index  at which to write.
     * @param value  to write.
     * @return bytes written.
     */
    public static int putVarint(final MutableDirectBuffer buffer, final int index, final int value)
    {
        int v = (value << 1) ^ (value >> 31);
        int i = index;
        while ((v & 0xFFFFFF80) != 0)
        {
            buffer.putByte(i++, (byte)((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buffer.putByte(i++, (byte)v);

        return i - index;
    }

    /**
     * @param buffer to write into.
     * @param index  at which to write.
     * @param value  to write.
     * @return bytes written.
     */
    public static int putVarlong(final MutableDirectBuffer buffer, final int index, final long value)
    {
        long v = (value << 1) ^ (value >> 63);
        int i = index;
        while ((v & 0xFFFFFFFFFFFFFF80L) != 0L)
        {
            buffer.putByte(i++, (byte)((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buffer.putByte(i++, (byte)v);

        return i - index;
    }
}
