package io.swimlog.client;

import io.swimlog.protocol.broker.ErrorCode;

/**
 * A request was not answered in time.
 */
public class ClientTimeoutException extends ClientException
{
    private static final long serialVersionUID = 1L;

    public ClientTimeoutException(final String message)
    {
        super(ErrorCode.UNKNOWN, message);
    }
}
