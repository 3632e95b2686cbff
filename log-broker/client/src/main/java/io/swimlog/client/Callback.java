package io.swimlog.client;

/**
 * Completion of one {@link Producer#send}, called on the producer's I/O thread; must not block.
 */
@FunctionalInterface
public interface Callback
{
    /**
     * @param metadata where the record went, or null on failure.
     * @param error    null on success.
     */
    void onCompletion(RecordMetadata metadata, ClientException error);
}
