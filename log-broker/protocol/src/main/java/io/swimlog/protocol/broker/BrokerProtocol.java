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
