package io.swimlog.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The answer to a read: a region of a segment file holding whole batches, to send with
 * {@link FileChannel#transferTo} or copy with {@link #readInto}, never through an intermediate heap copy.
 * <p>
 * Reusable: one per reading thread, it also carries that thread's scratch for scanning batch headers, so reads
 * allocate nothing. Not thread safe. The region stays valid until the segment is deleted by retention or
 * truncation; reading it after that fails with an IOException (closed channel), which a fetch handler answers
 * as "offset out of range, fetch again".
 */
public final class LogReadResult
{
    private final BatchHeaderReader reader = new BatchHeaderReader();
    private FileChannel channel;
    private long position;
    private int length;
    private long firstOffset;
    private long nextOffset;

    void set(final FileChannel channel, final long position, final int length, final long firstOffset,
        final long nextOffset)
    {
        this.channel = channel;
        this.position = position;
        this.length = length;
        this.firstOffset = firstOffset;
        this.nextOffset = nextOffset;
    }

    void clear(final long offset)
    {
        channel = null;
        position = 0;
        length = 0;
        firstOffset = offset;
        nextOffset = offset;
    }

    BatchHeaderReader reader()
    {
        return reader;
    }

    /**
     * @return the segment file holding the region, or null when nothing was read.
     */
    public FileChannel channel()
    {
        return channel;
    }

    /**
     * @return position of the region in the file.
     */
    public long position()
    {
        return position;
    }

    /**
     * @return bytes in the region, 0 when the read was at the log end.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return base offset of the first batch in the region (at or below the offset asked for).
     */
    public long firstOffset()
    {
        return firstOffset;
    }

    /**
     * @return the offset after the region's last batch: where the next read continues.
     */
    public long nextOffset()
    {
        return nextOffset;
    }

    /**
     * Copy the region into {@code destination} (e.g. a direct buffer over an Aeron claim).
     *
     * @return bytes copied: the region's length, or less if {@code destination} has less room.
     */
    public int readInto(final ByteBuffer destination) throws IOException
    {
        final int limit = destination.limit();
        final int n = Math.min(length, destination.remaining());
        destination.limit(destination.position() + n);
        int done = 0;
        try
        {
            while (done < n)
            {
                final int r = channel.read(destination, position + done);
                if (r < 0)
                {
                    break;
                }
                done += r;
            }
        }
        finally
        {
            destination.limit(limit);
        }

        return done;
    }

    /**
     * Send the region with the kernel's zero-copy transfer.
     *
     * @return bytes sent.
     */
    public long transferTo(final WritableByteChannel target) throws IOException
    {
        long done = 0;
        while (done < length)
        {
            final long n = channel.transferTo(position + done, length - done, target);
            if (n <= 0)
            {
                break;
            }
            done += n;
        }

        return done;
    }
}
