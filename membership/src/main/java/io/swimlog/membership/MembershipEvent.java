package io.swimlog.membership;

/**
 * One change in the view of a member, delivered to {@link MembershipListener}s in the order it happened.
 *
 * @param type   what happened.
 * @param member the member after the change.
 * @param timeMs epoch milliseconds (virtual time in the simulator).
 */
public record MembershipEvent(MembershipEventType type, Member member, long timeMs)
{
}
