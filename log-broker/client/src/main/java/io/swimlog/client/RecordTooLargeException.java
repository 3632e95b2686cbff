package io.swimlog.client;

import io.swimlog.protocol.broker.ErrorCode;

/**
 * A record or request is larger than the broker or the client accepts.
 */
public class RecordTooLargeException extends ClientException
{
    private static final long serialVersionUID = 1L;

    public RecordTooLargeException(final String message)
    {
        super(ErrorCode.MESSAGE_TOO_LARGE, message);
    }
}
