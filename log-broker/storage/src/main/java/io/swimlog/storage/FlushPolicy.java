package io.swimlog.storage;

/**
 * When appended bytes are forced to the device.
 */
public enum FlushPolicy
{
    /**
     * Leave it to the page cache; only roll, close and an explicit {@link PartitionLog#flush()} force. A process
     * crash loses nothing (the page cache survives it); a machine crash loses what the kernel had not written.
     */
    NEVER,

    /**
     * Force when {@link LogContext#flushIntervalMessages()} messages or {@link LogContext#flushIntervalMs()}
     * milliseconds have gone by without a flush, checked on append and on {@link PartitionLog#commit(long)}.
     */
    INTERVAL,

    /**
     * Nothing is acknowledged before it is on the device: {@link PartitionLog#commit(long)} returns only once
     * its offsets are forced. One force covers every batch appended before it started (group commit), so
     * concurrent or pipelined appenders share the cost of an fsync.
     */
    ALWAYS
}
