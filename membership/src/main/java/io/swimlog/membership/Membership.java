package io.swimlog.membership;

import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A running member of a SWIM cluster: the embedding API. Start one from a {@link MembershipContext}; it runs
 * the protocol on its own thread and tells its {@link MembershipListener} who joins, is suspected, dies or leaves.
 * <pre>{@code
 * try (Membership membership = Membership.start(new MembershipContext()
 *     .memberId("a").bind("10.0.0.1:7946").seeds(List.of("10.0.0.2:7946")).listener(System.out::println)))
 * {
 *     membership.members().forEach(System.out::println);
 * }
 * }</pre>
 * Thread safe: every method may be called from any thread; the work happens on the membership thread.
 */
public final class Membership implements AutoCloseable
{
    private final MembershipContext ctx;
    private final MembershipCore core;
    private final MembershipAgent agent;
    private final AgentRunner runner;
    private final MembershipCounters counters;
    private volatile boolean leaveRequested;
    private volatile boolean closed;

    private Membership(final MembershipContext ctx)
    {
        this.ctx = ctx;
        counters = new MembershipCounters();
        final EventDispatcher dispatcher = new EventDispatcher(ctx.listener(), ctx.epochClock(), ctx.errorHandler());
        core = new MembershipCore(ctx, new PacketEnvelope(ctx.clusterName(), ctx.keyring()), counters, dispatcher);
        dispatcher.core(core);
        agent = new MembershipAgent(core, ctx.transport(), ctx.nanoClock());
        runner = new AgentRunner(ctx.idleStrategy(), ctx.errorHandler(), null, agent);
    }

    /**
     * Concludes the context, starts the member's thread and, when seeds are given, starts joining through them.
     */
    public static Membership start(final MembershipContext ctx)
    {
        ctx.conclude();
        final Membership membership;
        try
        {
            membership = new Membership(ctx);
        }
        catch (final RuntimeException ex)
        {
            if (ctx.ownsTransport())
            {
                CloseHelper.quietClose(ctx.transport());
            }
            throw ex;
        }
        AgentRunner.startOnThread(membership.runner);
        return membership;
    }

    public String localMemberId()
    {
        return core.localMemberId();
    }

    /**
     * Every member this member knows, itself included, as of the last duty cycle. Includes SUSPECT members and,
     * until they are reclaimed, DEAD and LEFT ones.
     */
    public List<Member> members()
    {
        return agent.members();
    }

    /**
     * Waits until a seed has answered the join with its view of the cluster (at once when there are no seeds).
     * Joining goes on in the background after a timeout, with backoff, until a seed answers.
     *
     * @return whether the join completed within the timeout.
     */
    public boolean awaitJoin(final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!agent.hasJoined())
        {
            if (System.nanoTime() - deadline >= 0 || runner.isClosed())
            {
                return agent.hasJoined();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }

    /**
     * Publishes new metadata, gossiped as a new incarnation of this member.
     */
    public void updateMetadata(final byte[] metadata)
    {
        if (metadata.length > ctx.maxMetadataLength())
        {
            throw new IllegalArgumentException(
                "metadata of " + metadata.length + " bytes exceeds maxMetadataLength " + ctx.maxMetadataLength());
        }
        final byte[] copy = metadata.clone();
        submit(() -> core.updateMetadata(copy));
    }

    /**
     * Replaces this member's keys, for rotation without downtime: first add the new key as accepted on every member,
     * then make it primary on every member, then drop the old one; at each step every member opens what any other
     * seals. The keys take effect on the membership thread, before its next datagram.
     *
     * @throws IllegalStateException when this member was started without encryption: turning encryption on or off
     *                               changes every datagram's size and needs a restart of the whole cluster.
     */
    public void keyring(final Keyring keyring)
    {
        java.util.Objects.requireNonNull(keyring, "keyring");
        if (null == ctx.keyring())
        {
            throw new IllegalStateException("this member was started without encryption; turning it on needs a restart");
        }
        submit(() -> core.keyring(keyring));
    }

    /**
     * Gossips an application payload to every member; each receives it once, in {@link MembershipListener#onBroadcast}.
     * It must fit one datagram with its headers: at most {@link #maxBroadcastLength()} bytes.
     *
     * @throws IllegalArgumentException when it is larger.
     */
    public void broadcast(final byte[] payload)
    {
        final int max = maxBroadcastLength();
        if (payload.length > max)
        {
            throw new IllegalArgumentException(
                "broadcast of " + payload.length + " bytes does not fit one datagram (at most " + max + " bytes)");
        }
        final UnsafeBuffer copy = new UnsafeBuffer(payload.clone());
        submit(() ->
        {
            try
            {
                core.broadcast(copy, 0, copy.capacity());
            }
            catch (final IllegalArgumentException ex)
            {
                ctx.errorHandler().onError(ex);
            }
        });
    }

    /**
     * The largest payload {@link #broadcast(byte[])} accepts: what fits one datagram beside an ack and the headers.
     */
    public int maxBroadcastLength()
    {
        final int idLength = core.localMemberId().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return ctx.maxDatagramLength() - ctx.envelopeOverhead() - MessageCodec.ACK_LENGTH -
            MessageCodec.userBroadcastLength(idLength, 0);
    }

    /**
     * Leaves the cluster gracefully: this member is LEFT in every view once its message has spread.
     *
     * @return true once the leave message has been gossiped its full number of times (or there was nobody to
     * tell), false if that did not happen within the timeout.
     */
    public boolean leave(final Duration timeout)
    {
        if (closed)
        {
            return agent.hasLeft();
        }
        if (!leaveRequested)
        {
            leaveRequested = true;
            submit(core::leave);
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!agent.hasLeft())
        {
            if (System.nanoTime() - deadline >= 0 || runner.isClosed())
            {
                return agent.hasLeft();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }

    public MembershipCounters counters()
    {
        return counters;
    }

    public MembershipContext context()
    {
        return ctx;
    }

    /**
     * Leaves (if not left yet, waiting up to {@link MembershipContext#leaveTimeoutMs()}), stops the membership
     * thread and closes the transport if the context created it.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        if (!leaveRequested || !agent.hasLeft())
        {
            leave(Duration.ofMillis(ctx.leaveTimeoutMs()));
        }
        closed = true;
        CloseHelper.closeAll(ctx.errorHandler(), runner, ctx.ownsTransport() ? ctx.transport() : null);
    }

    private void submit(final Runnable command)
    {
        if (closed)
        {
            throw new IllegalStateException("membership is closed");
        }
        if (!agent.offer(command))
        {
            throw new IllegalStateException("membership command queue is full");
        }
    }
}
