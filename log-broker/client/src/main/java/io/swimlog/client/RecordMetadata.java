package io.swimlog.client;

/**
 * Where an acknowledged record was written.
 *
 * @param topic     of the record.
 * @param partition of the record.
 * @param offset    of the record, or -1 when sent with acks=0.
 * @param timestamp of the record.
 */
public record RecordMetadata(String topic, int partition, long offset, long timestamp)
{
}
