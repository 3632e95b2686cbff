package io.swimlog.protocol.broker;

/**
 * Error codes carried by every broker response ({@code errorCode} fields of the broker schema). Codes are part of
 * the wire contract: never renumber, only append.
 */
public enum ErrorCode
{
    NONE(0, "no error"),
    UNKNOWN_TOPIC_OR_PARTITION(1, "the topic or partition does not exist"),
    TOPIC_ALREADY_EXISTS(2, "the topic already exists"),
    INVALID_REQUEST(3, "the request is malformed"),
    INVALID_RECORD_BATCH(4, "the record batch failed validation"),
    MESSAGE_TOO_LARGE(5, "the request is larger than the broker accepts"),
    OFFSET_OUT_OF_RANGE(6, "the offset is outside the partition's log"),
    OUT_OF_ORDER_SEQUENCE(7, "the producer sequence skips ahead of the last one appended"),
    INVALID_PRODUCER_EPOCH(8, "the producer epoch is older than the current one (fenced)"),
    UNKNOWN_SESSION(9, "the session is unknown or has timed out"),
    INVALID_TOPIC(10, "the topic name or partition count is invalid"),
    STORAGE_ERROR(11, "the broker could not read or write its log"),
    UNSUPPORTED_VERSION(12, "the protocol version is not supported"),
    UNKNOWN_PRODUCER_ID(13, "the producer id was not issued by this broker"),
    INVALID_ACKS(14, "acks must be 0, 1 or -1 (all)"),
    UNKNOWN(15, "an unexpected error on the broker");

    private static final ErrorCode[] BY_CODE;

    static
    {
        final ErrorCode[] values = values();
        BY_CODE = new ErrorCode[values.length];
        for (final ErrorCode value : values)
        {
            BY_CODE[value.code] = value;
        }
    }

    private final short code;
    private final String description;

    ErrorCode(final int code, final String description)
    {
        this.code = (short)code;
        this.description = description;
    }

    public short code()
    {
        return code;
    }

    public String description()
    {
        return description;
    }

    /**
     * @param code as read from the wire.
     * @return the error code, or {@link #UNKNOWN} for a code this version does not know.
     */
    public static ErrorCode get(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
