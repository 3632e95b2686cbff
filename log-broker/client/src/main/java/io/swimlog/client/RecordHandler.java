package io.swimlog.client;

import io.swimlog.protocol.record.RecordBatchReader;

/**
 * Receives records from {@link Consumer#poll(RecordHandler, int, long)} without copies: the reader is positioned
 * on the record, and its key, value and headers are offsets into {@code reader.buffer()}, valid only during the
 * call.
 */
@FunctionalInterface
public interface RecordHandler
{
    /**
     * @param topic     of the record.
     * @param partition of the record.
     * @param reader    positioned on the record: offset(), timestamp(), keyOffset()/keyLength(), valueOffset()/
     *                  valueLength() into buffer(), and nextHeader() to walk its headers.
     */
    void onRecord(String topic, int partition, RecordBatchReader reader);
}
