package io.swimlog.protocol.record;

import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC-32C (Castagnoli) over a region of a {@link DirectBuffer}, with {@link java.util.zip.CRC32C}, which the JIT
 * turns into the CPU's CRC32 instructions. Direct and heap buffers are checksummed in place; only a buffer over
 * a raw address is fed through a small scratch array.
 * <p>
 * Not thread safe: one instance per thread; no allocation in steady state.
 */
public final class Crc32cChecksum
{
    private static final int SCRATCH_LENGTH = 4096;

    private final CRC32C crc = new CRC32C();
    private final ByteBufferView view = new ByteBufferView();
    private byte[] scratch;

    /**
     * @param buffer holding the bytes.
     * @param index  of the first byte.
     * @param length of the region.
     * @return the CRC-32C of the region as an unsigned 32-bit value in an int.
     */
    public int compute(final DirectBuffer buffer, final int index, final int length)
    {
        crc.reset();
        final ByteBuffer byteBuffer = view.view(buffer, index, length);
        if (null != byteBuffer)
        {
            crc.update(byteBuffer);
        }
        else
        {
            if (null == scratch)
            {
                scratch = new byte[SCRATCH_LENGTH];
            }

            int done = 0;
            while (done < length)
            {
                final int chunk = Math.min(SCRATCH_LENGTH, length - done);
                buffer.getBytes(index + done, scratch, 0, chunk);
                crc.update(scratch, 0, chunk);
                done += chunk;
            }
        }

        return (int)crc.getValue();
    }
}
