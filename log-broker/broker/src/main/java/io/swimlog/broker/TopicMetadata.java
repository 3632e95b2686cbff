package io.swimlog.broker;

/**
 * What the cluster knows about one topic: its name, partition count and replication factor.
 *
 * @param name              valid topic name.
 * @param partitions        number of partitions, at least 1.
 * @param replicationFactor copies of each partition (1 while a cluster is one broker).
 */
public record TopicMetadata(String name, int partitions, int replicationFactor)
{
}
