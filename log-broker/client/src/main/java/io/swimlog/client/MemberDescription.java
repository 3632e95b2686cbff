package io.swimlog.client;

/**
 * A member of the cluster as the broker's membership sees it.
 *
 * @param member      id.
 * @param address     HOST:PORT of its endpoint.
 * @param state       alive, suspect, dead or left.
 * @param incarnation its incarnation number.
 * @param metadata    the bytes it attached to itself.
 */
public record MemberDescription(String member, String address, String state, long incarnation, byte[] metadata)
{
    static String stateName(final int state)
    {
        switch (state)
        {
            case 0: return "alive";
            case 1: return "suspect";
            case 2: return "dead";
            case 3: return "left";
            default: return "unknown";
        }
    }
}
