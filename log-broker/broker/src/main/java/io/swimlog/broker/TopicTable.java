package io.swimlog.broker;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The partitions this broker serves, by topic. Produce and fetch look a topic up by the UTF-8 bytes of its name
 * straight from the request buffer, so the hot path builds no String: a linear scan that compares lengths first,
 * which beats hashing for the tens of topics a broker holds.
 * <p>
 * Not thread safe: owned by the broker conductor.
 */
final class TopicTable
{
    private byte[][] names = new byte[8][];
    private Partition[][] partitions = new Partition[8][];
    private TopicMetadata[] metadata = new TopicMetadata[8];
    private int count;

    void add(final TopicMetadata topic, final Partition[] topicPartitions)
    {
        if (count == names.length)
        {
            names = Arrays.copyOf(names, count * 2);
            partitions = Arrays.copyOf(partitions, count * 2);
            metadata = Arrays.copyOf(metadata, count * 2);
        }
        names[count] = topic.name().getBytes(StandardCharsets.UTF_8);
        partitions[count] = topicPartitions;
        metadata[count] = topic;
        count++;
    }

    /**
     * @return the removed topic's partitions, or null if there was no such topic.
     */
    Partition[] remove(final String topic)
    {
        final int index = indexOf(topic);
        if (index < 0)
        {
            return null;
        }
        final Partition[] removed = partitions[index];
        final int tail = count - index - 1;
        System.arraycopy(names, index + 1, names, index, tail);
        System.arraycopy(partitions, index + 1, partitions, index, tail);
        System.arraycopy(metadata, index + 1, metadata, index, tail);
        count--;
        names[count] = null;
        partitions[count] = null;
        metadata[count] = null;

        return removed;
    }

    /**
     * @return the partition, or null when the topic or the partition does not exist.
     */
    Partition partition(final DirectBuffer buffer, final int offset, final int length, final int partition)
    {
        for (int i = 0; i < count; i++)
        {
            final byte[] name = names[i];
            if (name.length == length && equals(name, buffer, offset))
            {
                final Partition[] topicPartitions = partitions[i];
                return partition >= 0 && partition < topicPartitions.length ? topicPartitions[partition] : null;
            }
        }

        return null;
    }

    Partition[] partitions(final String topic)
    {
        final int index = indexOf(topic);
        return index < 0 ? null : partitions[index];
    }

    TopicMetadata metadata(final String topic)
    {
        final int index = indexOf(topic);
        return index < 0 ? null : metadata[index];
    }

    List<TopicMetadata> topics()
    {
        final List<TopicMetadata> topics = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            topics.add(metadata[i]);
        }

        return topics;
    }

    int size()
    {
        return count;
    }

    TopicMetadata metadataAt(final int index)
    {
        return metadata[index];
    }

    Partition[] partitionsAt(final int index)
    {
        return partitions[index];
    }

    private int indexOf(final String topic)
    {
        for (int i = 0; i < count; i++)
        {
            if (metadata[i].name().equals(topic))
            {
                return i;
            }
        }

        return -1;
    }

    private static boolean equals(final byte[] name, final DirectBuffer buffer, final int offset)
    {
        for (int i = 0; i < name.length; i++)
        {
            if (name[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }

        return true;
    }
}
