package io.swimlog.protocol.record;

import org.agrona.DirectBuffer;

/**
 * A bounds-checked read cursor over a region of a buffer, decoding the varints of the record format.
 * A read that would run past the limit or a varint longer than its type sets {@link #isMalformed()} and
 * returns 0 instead of throwing, so a validator can walk untrusted bytes without exceptions.
 * <p>
 * Not thread safe; reuse one per thread.
 */
final class RecordCursor
{
    private DirectBuffer buffer;
    private int position;
    private int limit;
    private boolean malformed;

    void wrap(final DirectBuffer buffer, final int position, final int limit)
    {
        this.buffer = buffer;
        this.position = position;
        this.limit = limit;
        this.malformed = false;
    }

    int position()
    {
        return position;
    }

    void position(final int position)
    {
        this.position = position;
    }

    int limit()
    {
        return limit;
    }

    boolean isMalformed()
    {
        return malformed;
    }

    boolean hasRemaining()
    {
        return position < limit;
    }

    byte readByte()
    {
        if (position >= limit)
        {
            malformed = true;
            return 0;
        }

        return buffer.getByte(position++);
    }

    int readVarint()
    {
        int raw = 0;
        int shift = 0;
        for (int i = 0; i < Varint.MAX_INT_BYTES; i++)
        {
            if (position >= limit)
            {
                malformed = true;
                return 0;
            }

            final int b = buffer.getByte(position++);
            raw |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (raw >>> 1) ^ -(raw & 1);
            }
            shift += 7;
        }

        malformed = true;
        return 0;
    }

    long readVarlong()
    {
        long raw = 0;
        int shift = 0;
        for (int i = 0; i < Varint.MAX_LONG_BYTES; i++)
        {
            if (position >= limit)
            {
                malformed = true;
                return 0;
            }

            final long b = buffer.getByte(position++);
            raw |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (raw >>> 1) ^ -(raw & 1);
            }
            shift += 7;
        }

        malformed = true;
        return 0;
    }

    /**
     * Skip a length-prefixed field: {@code length} bytes, where -1 (null) skips nothing.
     *
     * @param length     as read from the varint.
     * @param allowNull  whether -1 is legal here.
     * @return the index of the field's first byte.
     */
    int skipField(final int length, final boolean allowNull)
    {
        final int start = position;
        if (length == -1 && allowNull)
        {
            return start;
        }

        if (length < 0 || length > limit - position)
        {
            malformed = true;
            return start;
        }
        position += length;

        return start;
    }
}
