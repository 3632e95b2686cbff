package io.swimlog.storage;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A small text file of numbers replaced atomically: written to a temporary file, forced, renamed over the old
 * one, and the directory forced, so a crash leaves either the old or the new contents, never a mix.
 * <p>
 * Format (as Kafka's checkpoints): a version line, a count line, then {@code count} lines of space-separated
 * longs. A file that does not parse is reported by an exception naming it.
 * <p>
 * Not thread safe; checkpoints are written by the log's writer.
 */
final class CheckpointFile
{
    static final int VERSION = 0;

    private final File file;
    private final File tempFile;
    private final int fieldsPerLine;

    CheckpointFile(final File file, final int fieldsPerLine)
    {
        this.file = file;
        this.tempFile = new File(file.getPath() + LogFileNames.TEMP_SUFFIX);
        this.fieldsPerLine = fieldsPerLine;
    }

    File file()
    {
        return file;
    }

    /**
     * @param entries lines of {@code fieldsPerLine} longs each.
     */
    void write(final List<long[]> entries) throws IOException
    {
        final StringBuilder sb = new StringBuilder(32 + entries.size() * 24);
        sb.append(VERSION).append('\n').append(entries.size()).append('\n');
        for (final long[] entry : entries)
        {
            for (int i = 0; i < fieldsPerLine; i++)
            {
                if (i > 0)
                {
                    sb.append(' ');
                }
                sb.append(entry[i]);
            }
            sb.append('\n');
        }

        final ByteBuffer bytes = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
        try (FileChannel channel = FileChannel.open(tempFile.toPath(),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
        {
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            channel.force(true);
        }
        catch (final IOException ex)
        {
            Files.deleteIfExists(tempFile.toPath());
            throw ex;
        }

        try
        {
            Files.move(tempFile.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            Files.move(tempFile.toPath(), file.toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(file.getParentFile());
    }

    /**
     * @return the entries, or null if the file does not exist.
     * @throws IOException if it cannot be read or does not parse.
     */
    List<long[]> read() throws IOException
    {
        if (!file.exists())
        {
            return null;
        }

        final List<String> lines = Files.readAllLines(file.toPath(), StandardCharsets.US_ASCII);
        try
        {
            if (lines.size() < 2 || VERSION != Integer.parseInt(lines.get(0).trim()))
            {
                throw new IOException("checkpoint " + file + ": missing or unknown version line");
            }
            final int count = Integer.parseInt(lines.get(1).trim());
            if (count < 0 || lines.size() < 2 + count)
            {
                throw new IOException("checkpoint " + file + ": expected " + count + " entries, found " +
                    (lines.size() - 2));
            }

            final List<long[]> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                final String[] fields = lines.get(2 + i).trim().split(" ");
                if (fields.length != fieldsPerLine)
                {
                    throw new IOException("checkpoint " + file + ": line " + (3 + i) + " has " + fields.length +
                        " fields, expected " + fieldsPerLine);
                }
                final long[] entry = new long[fieldsPerLine];
                for (int f = 0; f < fieldsPerLine; f++)
                {
                    entry[f] = Long.parseLong(fields[f]);
                }
                entries.add(entry);
            }

            return entries;
        }
        catch (final NumberFormatException ex)
        {
            throw new IOException("checkpoint " + file + " does not parse: " + ex.getMessage(), ex);
        }
    }

    /**
     * Make a rename or file creation in {@code dir} durable.
     */
    static void forceDirectory(final File dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir.toPath(), StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}
