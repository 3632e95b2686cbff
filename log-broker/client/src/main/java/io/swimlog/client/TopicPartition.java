package io.swimlog.client;

/**
 * A partition of a topic.
 *
 * @param topic     name.
 * @param partition index.
 */
public record TopicPartition(String topic, int partition)
{
    public String toString()
    {
        return topic + "-" + partition;
    }
}
