package io.swimlog.protocol.broker;

/**
 * Constants of the client-broker protocol shared by both ends.
 */
public final class BrokerProtocol
{
    /**
     * Version a client states in its ConnectRequest; a broker refuses versions it does not speak.
     */
    public static final int PROTOCOL_VERSION = 1;

    /**
     * Stream id of requests on a broker node's UDP endpoint; membership uses stream 10 on the same port.
     */
    public static final int REQUEST_STREAM_ID = 20;

    /**
     * Stream id of responses on a client's own subscription.
     */
    public static final int RESPONSE_STREAM_ID = 21;

    /**
     * Response stream ids over IPC start here, above every {@link #ipcRequestStreamId(int)}: each IPC client takes
     * its own, so that the responses of clients sharing one media driver stay apart.
     */
    public static final int FIRST_IPC_RESPONSE_STREAM_ID = 65_536;

    /**
     * A node also takes requests over IPC from clients of its own media driver (a host's shared driver), on the
     * stream numbered by its port, so that several nodes on one driver (each on its own port) stay apart.
     *
     * @param port the node's UDP port.
     * @return the stream id of the node's IPC requests.
     */
    public static int ipcRequestStreamId(final int port)
    {
        return port;
    }

    /**
     * @param uniqueId unique among the clients of one media driver (Aeron's {@code nextCorrelationId()}).
     * @return an IPC response stream id no other client of that driver has while ids stay below 2^31.
     */
    public static int ipcResponseStreamId(final long uniqueId)
    {
        return FIRST_IPC_RESPONSE_STREAM_ID + (int)(uniqueId % (Integer.MAX_VALUE - FIRST_IPC_RESPONSE_STREAM_ID));
    }

    /**
     * ListOffsets timestamp asking for the first offset still in the log.
     */
    public static final long EARLIEST_TIMESTAMP = -2;

    /**
     * ListOffsets timestamp asking for the offset the next record will get.
     */
    public static final long LATEST_TIMESTAMP = -1;

    /**
     * The acks values: no response, after the leader's append, after every in-sync replica's append.
     */
    public static final byte ACKS_NONE = 0;
    public static final byte ACKS_LEADER = 1;
    public static final byte ACKS_ALL = -1;

    /**
     * Longest topic name, in UTF-8 bytes (as Kafka).
     */
    public static final int MAX_TOPIC_NAME_LENGTH = 249;

    private BrokerProtocol()
    {
    }

    /**
     * @param topic a topic name.
     * @return null when valid, else a sentence saying why not: 1 to 249 characters from [a-zA-Z0-9._-], not "." or "..".
     */
    public static String validateTopicName(final String topic)
    {
        if (null == topic || topic.isEmpty())
        {
            return "a topic name must not be empty";
        }
        if (topic.length() > MAX_TOPIC_NAME_LENGTH)
        {
            return "topic name '" + topic + "' is longer than " + MAX_TOPIC_NAME_LENGTH + " characters";
        }
        if (".".equals(topic) || "..".equals(topic))
        {
            return "topic name '" + topic + "' is reserved";
        }
        for (int i = 0; i < topic.length(); i++)
        {
            final char c = topic.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-'))
            {
                return "topic name '" + topic + "' may use only letters, digits, '.', '_' and '-'";
            }
        }

        return null;
    }
}
