package io.swimlog.client;

import java.util.List;

/**
 * A record to send.
 *
 * @param topic     to send to.
 * @param partition to send to, or -1 to choose: by the hash of the key, or sticky per batch for null keys.
 * @param timestamp of the record in ms since the epoch, or -1 for the time of sending.
 * @param key       may be null.
 * @param value     may be null.
 * @param headers   may be empty.
 */
public record ProducerRecord(String topic, int partition, long timestamp, byte[] key, byte[] value, List<Header> headers)
{
    public ProducerRecord
    {
        headers = null == headers ? List.of() : headers;
    }

    public ProducerRecord(final String topic, final byte[] key, final byte[] value)
    {
        this(topic, -1, -1, key, value, List.of());
    }
}
