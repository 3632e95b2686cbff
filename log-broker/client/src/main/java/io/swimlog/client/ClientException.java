package io.swimlog.client;

import io.swimlog.protocol.broker.ErrorCode;

/**
 * A request failed: the broker refused it (see {@link #errorCode()}) or the client could not complete it. Its
 * message is one sentence fit to show a user.
 */
public class ClientException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;

    public ClientException(final ErrorCode errorCode, final String message)
    {
        super(message);
        this.errorCode = errorCode;
    }

    public ClientException(final ErrorCode errorCode, final String message, final Throwable cause)
    {
        super(message, cause);
        this.errorCode = errorCode;
    }

    /**
     * @return the broker's error code, or {@link ErrorCode#UNKNOWN} for a failure on the client side.
     */
    public ErrorCode errorCode()
    {
        return errorCode;
    }

    /**
     * @return the exception that best names a broker's error.
     */
    static ClientException of(final ErrorCode code, final String message)
    {
        switch (code)
        {
            case UNKNOWN_TOPIC_OR_PARTITION:
                return new UnknownTopicException(message);
            case MESSAGE_TOO_LARGE:
                return new RecordTooLargeException(message);
            default:
                return new ClientException(code, message);
        }
    }
}
