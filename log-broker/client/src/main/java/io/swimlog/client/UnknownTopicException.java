package io.swimlog.client;

import io.swimlog.protocol.broker.ErrorCode;

/**
 * The topic or partition does not exist on the broker.
 */
public class UnknownTopicException extends ClientException
{
    private static final long serialVersionUID = 1L;

    public UnknownTopicException(final String message)
    {
        super(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message);
    }
}
