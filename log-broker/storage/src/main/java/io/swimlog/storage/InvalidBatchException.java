package io.swimlog.storage;

import io.swimlog.protocol.record.BatchError;

/**
 * A batch given to {@link PartitionLog#append} failed validation; nothing was written.
 */
public final class InvalidBatchException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient BatchError error;

    public InvalidBatchException(final BatchError error, final String message)
    {
        super(message);
        this.error = error;
    }

    /**
     * @return what was wrong with the batch.
     */
    public BatchError error()
    {
        return error;
    }
}
