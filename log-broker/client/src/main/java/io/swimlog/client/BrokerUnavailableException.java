package io.swimlog.client;

import io.swimlog.protocol.broker.ErrorCode;

/**
 * The broker cannot be reached or went away.
 */
public class BrokerUnavailableException extends ClientException
{
    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(final String message)
    {
        super(ErrorCode.UNKNOWN, message);
    }
}
