package io.swimlog.client;

import java.util.List;

/**
 * A record read from a partition.
 *
 * @param topic     of the record.
 * @param partition of the record.
 * @param offset    of the record in its partition.
 * @param timestamp of the record, ms since the epoch.
 * @param key       or null.
 * @param value     or null.
 * @param headers   possibly empty.
 */
public record ConsumerRecord(
    String topic, int partition, long offset, long timestamp, byte[] key, byte[] value, List<Header> headers)
{
}
