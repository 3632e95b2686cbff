package io.swimlog.membership;

import org.agrona.DirectBuffer;

/**
 * Receives what a member learns. Called on the membership thread, in order; must not block, since the protocol
 * (and the answers to other members' probes) waits for it.
 */
public interface MembershipListener
{
    void onEvent(MembershipEvent event);

    /**
     * An application payload gossiped by {@code fromMemberId} with {@link Membership#broadcast(byte[])}. Each
     * reaches each member at most once. The buffer is valid only during the call.
     */
    default void onBroadcast(final String fromMemberId, final DirectBuffer buffer, final int offset, final int length)
    {
    }

    /**
     * Something an operator should see that is not an error of this member: for example a peer that answers
     * indirect probes but never direct ones (a one-way UDP path). The default prints it to standard error.
     */
    default void onWarning(final String message)
    {
        System.err.println("swimlog membership: " + message);
    }
}
