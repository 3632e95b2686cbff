package io.swimlog.membership;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;

import java.util.List;

/**
 * Runs one member's {@link MembershipCore} as an Agrona {@link Agent}. Each duty cycle reads the clock once,
 * polls the transport, runs the protocol's timers and drains commands from application threads, then publishes
 * a new snapshot of the view if it changed.
 * <p>
 * Threading: {@link #doWork()} runs on one thread (an {@code AgentRunner} or an invoker); {@link #offer(Runnable)},
 * {@link #members()} and {@link #hasLeft()} are safe from any thread.
 */
public final class MembershipAgent implements Agent
{
    private static final int POLL_LIMIT = 32;
    private static final int COMMAND_LIMIT = 16;

    private final MembershipCore core;
    private final Transport transport;
    private final NanoClock nanoClock;
    private final Transport.DatagramHandler datagramHandler;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(1024);
    private final String roleName;
    private long publishedVersion = -1;
    private volatile List<Member> members = List.of();
    private volatile boolean left;
    private volatile boolean joined;

    public MembershipAgent(final MembershipCore core, final Transport transport, final NanoClock nanoClock)
    {
        this.core = core;
        this.transport = transport;
        this.nanoClock = nanoClock;
        this.datagramHandler = core::onDatagram;
        this.roleName = "swimlog-membership-" + core.localMemberId();
    }

    public void onStart()
    {
        core.start(nanoClock.nanoTime());
        publish();
    }

    public int doWork()
    {
        final long nowNs = nanoClock.nanoTime();
        core.now(nowNs);
        int workCount = transport.poll(datagramHandler, POLL_LIMIT);
        workCount += core.onTimers(nowNs);
        workCount += commands.drain(Runnable::run, COMMAND_LIMIT);
        publish();
        return workCount;
    }

    public String roleName()
    {
        return roleName;
    }

    /**
     * Queues a command to run on the membership thread.
     *
     * @return false when the queue is full.
     */
    public boolean offer(final Runnable command)
    {
        return commands.offer(command);
    }

    /**
     * The latest published view, itself included.
     */
    public List<Member> members()
    {
        return members;
    }

    public boolean hasLeft()
    {
        return left;
    }

    /**
     * True once a seed answered the join (or there were no seeds to join through).
     */
    public boolean hasJoined()
    {
        return joined;
    }

    private void publish()
    {
        final long version = core.viewVersion();
        if (version != publishedVersion)
        {
            publishedVersion = version;
            members = List.copyOf(core.members());
        }
        if (!joined && !core.isJoining())
        {
            joined = true;
        }
        if (!left && core.hasLeft())
        {
            left = true;
        }
    }
}
