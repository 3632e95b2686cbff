package io.swimlog.broker;

import java.util.List;

/**
 * Cluster metadata as the request path sees it: topics and producer id allocation. The only door to metadata, so
 * that a replicated controller (Raft on Aeron Cluster, in a later issue) can replace the local file store without
 * touching the request path.
 * <p>
 * Called on the broker conductor thread only. Every change is durable when the call returns.
 */
public interface MetadataStore extends AutoCloseable
{
    /**
     * @return every topic, in creation order.
     */
    List<TopicMetadata> topics();

    /**
     * @param name of a topic.
     * @return its metadata, or null when there is no such topic.
     */
    TopicMetadata topic(String name);

    /**
     * Record a new topic.
     *
     * @param topic to add.
     * @return false if a topic of that name exists (nothing changed).
     */
    boolean createTopic(TopicMetadata topic);

    /**
     * @param name of the topic to forget.
     * @return false if there was no such topic.
     */
    boolean deleteTopic(String name);

    /**
     * @return a producer id never handed out before, by this or an earlier run of the cluster.
     */
    long allocateProducerId();

    void close();
}
