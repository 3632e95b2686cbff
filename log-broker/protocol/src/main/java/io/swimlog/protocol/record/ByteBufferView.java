package io.swimlog.protocol.record;

import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;

/**
 * Presents a region of an Agrona {@link DirectBuffer} as a {@link ByteBuffer}, for the JDK APIs that only take
 * those ({@code FileChannel.write}, {@code CRC32C.update}), without copying.
 * <p>
 * The view is cached by the identity of the buffer's backing {@link ByteBuffer} or array, so steady-state use
 * over the same buffer allocates nothing; a new backing store costs one {@code duplicate()}/{@code wrap()}.
 * A buffer wrapped over a raw address has neither: {@link #view} returns null and the caller copies.
 * <p>
 * Not thread safe; the returned buffer is only valid until the next call.
 */
public final class ByteBufferView
{
    private Object source;
    private ByteBuffer view;

    /**
     * @param buffer whose bytes to expose.
     * @param index  of the region's first byte in {@code buffer}.
     * @param length of the region.
     * @return a ByteBuffer whose position..limit is exactly the region, or null if the buffer has no backing
     * ByteBuffer or array.
     */
    public ByteBuffer view(final DirectBuffer buffer, final int index, final int length)
    {
        buffer.boundsCheck(index, length);

        final ByteBuffer byteBuffer = buffer.byteBuffer();
        final byte[] array = buffer.byteArray();
        final Object backing = null != byteBuffer ? byteBuffer : array;
        if (null == backing)
        {
            return null;
        }

        if (backing != source)
        {
            view = null != byteBuffer ? byteBuffer.duplicate() : ByteBuffer.wrap(array);
            source = backing;
        }

        // Heap ByteBuffers report wrapAdjustment relative to their array; duplicate() keeps the arrayOffset.
        int start = buffer.wrapAdjustment() + index;
        if (null != byteBuffer && byteBuffer.hasArray())
        {
            start -= byteBuffer.arrayOffset();
        }

        view.clear();
        view.limit(start + length).position(start);

        return view;
    }
}
