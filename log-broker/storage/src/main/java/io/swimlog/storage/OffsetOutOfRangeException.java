package io.swimlog.storage;

/**
 * A read or look-up asked for an offset below the log start offset or above the log end offset.
 */
public final class OffsetOutOfRangeException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final long logStartOffset;
    private final long logEndOffset;

    public OffsetOutOfRangeException(final long offset, final long logStartOffset, final long logEndOffset)
    {
        super("offset " + offset + " is outside the log [" + logStartOffset + ", " + logEndOffset + "]");
        this.offset = offset;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
    }

    public long offset()
    {
        return offset;
    }

    public long logStartOffset()
    {
        return logStartOffset;
    }

    public long logEndOffset()
    {
        return logEndOffset;
    }
}
