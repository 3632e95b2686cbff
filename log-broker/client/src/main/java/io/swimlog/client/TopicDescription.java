package io.swimlog.client;

import java.util.List;

/**
 * A topic as the broker describes it.
 *
 * @param name              of the topic.
 * @param replicationFactor copies of each partition.
 * @param partitions        every partition, by index.
 */
public record TopicDescription(String name, int replicationFactor, List<Partition> partitions)
{
    /**
     * One partition.
     *
     * @param partition      index.
     * @param leader         id of the broker that leads it.
     * @param leaderEpoch    of that leader.
     * @param logStartOffset first offset still in the log.
     * @param highWatermark  offset the next record will get (everything below it can be read).
     */
    public record Partition(int partition, String leader, int leaderEpoch, long logStartOffset, long highWatermark)
    {
    }
}
