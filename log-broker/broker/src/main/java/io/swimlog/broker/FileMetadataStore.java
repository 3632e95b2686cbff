package io.swimlog.broker;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link MetadataStore} of a single broker: one small text file, {@code metadata} in the data directory,
 * rewritten whole on every change through a temporary file, fsync and an atomic rename, so a crash leaves either
 * the old or the new version, never a mix.
 * <pre>
 * swimlog-metadata 1
 * producer-id-limit 4096
 * topic NAME PARTITIONS REPLICATION
 * </pre>
 * Producer ids are handed out from blocks: the file records the end of the current block, so after a crash the
 * next run starts above every id that might have been used.
 * <p>
 * Not thread safe: the broker conductor owns it.
 */
public final class FileMetadataStore implements MetadataStore
{
    static final String FILE_NAME = "metadata";
    private static final String MAGIC = "swimlog-metadata 1";
    private static final long PRODUCER_ID_BLOCK = 1024;

    private final Path file;
    private final Map<String, TopicMetadata> topics = new LinkedHashMap<>();
    private long nextProducerId;
    private long producerIdLimit;

    /**
     * Open the store in {@code dataDir}, reading what an earlier run wrote.
     *
     * @param dataDir the broker's data directory.
     * @throws UncheckedIOException if the file exists and cannot be read or is corrupt.
     */
    public FileMetadataStore(final File dataDir)
    {
        file = dataDir.toPath().resolve(FILE_NAME);
        try
        {
            Files.deleteIfExists(dataDir.toPath().resolve(FILE_NAME + ".tmp"));
            if (Files.exists(file))
            {
                load(Files.readAllLines(file, StandardCharsets.UTF_8));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read broker metadata " + file + ": " + ex.getMessage(), ex);
        }
        nextProducerId = producerIdLimit;
    }

    private void load(final List<String> lines) throws IOException
    {
        if (lines.isEmpty() || !MAGIC.equals(lines.get(0)))
        {
            throw new IOException("not a swimlog metadata file (first line is not '" + MAGIC + "')");
        }
        for (int i = 1; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            final String[] fields = line.split(" ");
            try
            {
                if ("producer-id-limit".equals(fields[0]) && 2 == fields.length)
                {
                    producerIdLimit = Long.parseLong(fields[1]);
                }
                else if ("topic".equals(fields[0]) && 4 == fields.length)
                {
                    final TopicMetadata topic = new TopicMetadata(
                        fields[1], Integer.parseInt(fields[2]), Integer.parseInt(fields[3]));
                    topics.put(topic.name(), topic);
                }
                else if (!line.isBlank())
                {
                    throw new IOException("line " + (i + 1) + " is not understood: " + line);
                }
            }
            catch (final NumberFormatException ex)
            {
                throw new IOException("line " + (i + 1) + " has a bad number: " + line, ex);
            }
        }
    }

    public List<TopicMetadata> topics()
    {
        return List.copyOf(topics.values());
    }

    public TopicMetadata topic(final String name)
    {
        return topics.get(name);
    }

    public boolean createTopic(final TopicMetadata topic)
    {
        if (topics.containsKey(topic.name()))
        {
            return false;
        }
        topics.put(topic.name(), topic);
        try
        {
            write();
        }
        catch (final UncheckedIOException ex)
        {
            topics.remove(topic.name());
            throw ex;
        }

        return true;
    }

    public boolean deleteTopic(final String name)
    {
        final TopicMetadata removed = topics.remove(name);
        if (null == removed)
        {
            return false;
        }
        try
        {
            write();
        }
        catch (final UncheckedIOException ex)
        {
            topics.put(name, removed);
            throw ex;
        }

        return true;
    }

    public long allocateProducerId()
    {
        if (nextProducerId >= producerIdLimit)
        {
            producerIdLimit = nextProducerId + PRODUCER_ID_BLOCK;
            write();
        }

        return nextProducerId++;
    }

    public void close()
    {
    }

    private void write()
    {
        final StringBuilder text = new StringBuilder(MAGIC).append('\n');
        text.append("producer-id-limit ").append(producerIdLimit).append('\n');
        for (final TopicMetadata topic : topics.values())
        {
            text.append("topic ").append(topic.name()).append(' ').append(topic.partitions()).append(' ')
                .append(topic.replicationFactor()).append('\n');
        }

        final Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try
        {
            Files.write(tmp, text.toString().getBytes(StandardCharsets.UTF_8));
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE))
            {
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ))
            {
                dir.force(true);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write broker metadata " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the ids of every topic, for tests.
     */
    List<String> topicNames()
    {
        return new ArrayList<>(topics.keySet());
    }
}
