package io.swimlog.broker;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Snapshots of a partition's {@link ProducerStateTable}, so that opening a partition reads only the log after the
 * newest snapshot instead of the whole log (Kafka's producer snapshots).
 * <p>
 * A snapshot named {@code <offset>.snapshot} (20 digits, as segments) holds the state of every batch below that
 * offset. Invariant: a snapshot is used only if its offset is within the log as recovered ({@code <=} the log end
 * offset); the ones above it describe batches a crash took away and are deleted. The file is a cache: written to a
 * temporary file and renamed, and checked whole by a CRC-32C when read, so a torn or corrupt one is ignored (and
 * deleted) and the state is rebuilt from an older snapshot or from the start of the log.
 * <p>
 * Layout, little endian: magic, version, offset, producer count, the entries of
 * {@link ProducerStateTable#writeTo}, then the CRC-32C of everything before it.
 */
final class ProducerStateSnapshot
{
    static final String SUFFIX = ".snapshot";
    /** Snapshots kept per partition: the newest and one before it. */
    static final int RETAINED = 2;

    private static final int MAGIC = 0x53504E53; // "SNPS"
    private static final int VERSION = 1;
    private static final int HEADER_LENGTH = 2 * Integer.BYTES + Long.BYTES + Integer.BYTES;
    private static final String TEMP_SUFFIX = ".tmp"; // removed by the log's loader if a crash leaves one

    private ProducerStateSnapshot()
    {
    }

    /**
     * Writes the table's state as of {@code offset} and deletes all but the {@link #RETAINED} newest snapshots.
     */
    static void write(final File dir, final long offset, final ProducerStateTable table) throws IOException
    {
        final int count = table.producerCount();
        final ByteBuffer buffer = ByteBuffer
            .allocate(HEADER_LENGTH + count * ProducerStateTable.ENCODED_ENTRY_LENGTH + Integer.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(MAGIC).putInt(VERSION).putLong(offset).putInt(count);
        table.writeTo(buffer);
        final CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int)crc.getValue());
        buffer.flip();

        final File file = file(dir, offset);
        final File temp = new File(file.getPath() + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(temp.toPath(),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
        {
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
        }
        try
        {
            Files.move(temp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            Files.move(temp.toPath(), file.toPath(), StandardCopyOption.REPLACE_EXISTING);
        }

        final long[] offsets = offsets(dir);
        for (int i = 0; i < offsets.length - RETAINED; i++)
        {
            Files.deleteIfExists(file(dir, offsets[i]).toPath());
        }
    }

    /**
     * Loads the newest usable snapshot into the table, deleting snapshots above {@code logEndOffset} and ones that
     * do not read back whole.
     *
     * @return the offset the loaded state is valid below, or -1 if none was usable (the table is then empty).
     */
    static long load(final File dir, final long logEndOffset, final ProducerStateTable table) throws IOException
    {
        final long[] offsets = offsets(dir);
        long loaded = -1;
        for (int i = offsets.length - 1; i >= 0; i--)
        {
            final File file = file(dir, offsets[i]);
            if (loaded < 0 && offsets[i] <= logEndOffset && read(file, offsets[i], table))
            {
                loaded = offsets[i];
            }
            else if (loaded < 0)
            {
                Files.deleteIfExists(file.toPath());
            }
        }

        return loaded;
    }

    private static boolean read(final File file, final long offset, final ProducerStateTable table)
        throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file.toPath());
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < HEADER_LENGTH + Integer.BYTES)
        {
            return false;
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - Integer.BYTES);
        if ((int)crc.getValue() != buffer.getInt(bytes.length - Integer.BYTES) ||
            MAGIC != buffer.getInt() || VERSION != buffer.getInt() || offset != buffer.getLong())
        {
            return false;
        }
        final int count = buffer.getInt();
        if (count < 0 ||
            (long)count * ProducerStateTable.ENCODED_ENTRY_LENGTH != bytes.length - HEADER_LENGTH - Integer.BYTES)
        {
            return false;
        }
        try
        {
            table.readFrom(buffer, count);
            return true;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    static File file(final File dir, final long offset)
    {
        return new File(dir, String.format("%020d", offset) + SUFFIX);
    }

    /**
     * @return offsets of the snapshots in the directory, ascending.
     */
    static long[] offsets(final File dir)
    {
        final String[] names = dir.list((d, name) -> name.endsWith(SUFFIX) && name.length() == 20 + SUFFIX.length());
        if (null == names)
        {
            return new long[0];
        }
        final long[] offsets = new long[names.length];
        int count = 0;
        for (final String name : names)
        {
            try
            {
                final long offset = Long.parseLong(name.substring(0, 20));
                if (offset >= 0)
                {
                    offsets[count++] = offset;
                }
            }
            catch (final NumberFormatException ignore)
            {
                // not one of ours: leave it alone
            }
        }
        final long[] result = Arrays.copyOf(offsets, count);
        Arrays.sort(result);
        return result;
    }
}
