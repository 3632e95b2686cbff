package io.swimlog.storage;

/**
 * A storage operation failed for a reason outside the caller's input: I/O error, disk full, a closed log.
 * The log is left consistent (its end offset unchanged for a failed append) and readable.
 */
public class StorageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public StorageException(final String message)
    {
        super(message);
    }

    public StorageException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
