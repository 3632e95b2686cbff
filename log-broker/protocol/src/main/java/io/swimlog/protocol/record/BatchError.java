package io.swimlog.protocol.record;

/**
 * Why a batch failed validation. Returned, not thrown, so a scanner (storage recovery) or the produce path can
 * act on it without the cost of an exception; {@link #OK} means the batch is sound.
 */
public enum BatchError
{
    OK("valid"),
    TRUNCATED_HEADER("fewer bytes than a batch header"),
    BAD_LENGTH("batch length field is smaller than the header or runs past the available bytes"),
    LENGTH_MISMATCH("batch length field disagrees with the number of bytes given"),
    UNSUPPORTED_MAGIC("unknown batch format version (magic)"),
    BAD_CRC("CRC-32C does not match the batch contents"),
    UNSUPPORTED_ATTRIBUTES("attribute bits set that this version does not know"),
    BAD_RECORD_COUNT("record count is not positive or disagrees with lastOffsetDelta"),
    MALFORMED_RECORD("a record's framing (varint, length, key, value or headers) is invalid"),
    RECORD_COUNT_MISMATCH("the records found disagree with the record count or the batch length"),
    BAD_OFFSET_DELTA("a record's offset delta is not its position in the batch"),
    BAD_TIMESTAMPS("maxTimestamp is not the largest record timestamp");

    private final String reason;

    BatchError(final String reason)
    {
        this.reason = reason;
    }

    /**
     * @return a human-readable reason, for logs and error replies.
     */
    public String reason()
    {
        return reason;
    }
}
