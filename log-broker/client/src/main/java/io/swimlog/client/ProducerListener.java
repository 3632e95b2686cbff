package io.swimlog.client;

/**
 * Told of each batch's outcome, on the producer's I/O thread: the completion path of the allocation-free
 * {@link Producer#offer} (which has no per-record future). Must not block.
 */
public interface ProducerListener
{
    /**
     * @param topic       of the batch.
     * @param partition   of the batch.
     * @param baseOffset  offset of its first record (-1 with acks=0).
     * @param recordCount records in it.
     */
    void onAcknowledged(String topic, int partition, long baseOffset, int recordCount);

    /**
     * @param topic       of the batch.
     * @param partition   of the batch.
     * @param recordCount records lost with it.
     * @param error       why.
     */
    void onError(String topic, int partition, int recordCount, ClientException error);
}
