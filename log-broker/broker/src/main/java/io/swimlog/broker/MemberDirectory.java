package io.swimlog.broker;

import java.util.List;

/**
 * Who is in the cluster, as the broker answers a MembersRequest. Backed by the SWIM membership when the node runs
 * it, else by the node alone.
 */
@FunctionalInterface
public interface MemberDirectory
{
    /**
     * One member as reported to clients.
     *
     * @param id          member id.
     * @param endpoint    HOST:PORT of its UDP endpoint.
     * @param incarnation its incarnation number.
     * @param state       0 ALIVE, 1 SUSPECT, 2 DEAD, 3 LEFT.
     * @param metadata    its metadata bytes.
     */
    record MemberInfo(String id, String endpoint, long incarnation, int state, byte[] metadata)
    {
    }

    /**
     * @return a snapshot of the members; safe to call from the conductor thread.
     */
    List<MemberInfo> members();
}
