package io.swimlog.tools.membership;

import io.swimlog.membership.Member;
import io.swimlog.membership.MembershipEvent;
import io.swimlog.membership.MembershipListener;
import io.swimlog.tools.JsonLine;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Prints membership events, one line each, as text or as JSON ({@code --json}).
 * <p>
 * The listener side runs on membership threads, which must never block; it only queues the event. The
 * command's own thread prints ({@link #printPending(long)}), so a slow terminal or a full pipe stalls the
 * printing, never the protocol. JSON fields: {@code time} (epoch ms), {@code event} (the lower-case event
 * name), {@code member}, {@code incarnation}, {@code address}, plus {@code seen_by} when several local members
 * share one printer ({@code swimlog dev}).
 */
public final class EventPrinter
{
    private final PrintWriter out;
    private final boolean json;
    private final LinkedBlockingQueue<Line> queue = new LinkedBlockingQueue<>();

    public EventPrinter(final PrintWriter out, final boolean json)
    {
        this.out = out;
        this.json = json;
    }

    /**
     * A listener for one local member; {@code seenBy} is named in each line when not null.
     */
    public MembershipListener listener(final String seenBy)
    {
        return new MembershipListener()
        {
            public void onEvent(final MembershipEvent event)
            {
                queue.add(new Line(seenBy, event));
            }

            public void onWarning(final String message)
            {
                queue.add(new Line(seenBy, message));
            }
        };
    }

    /**
     * Prints what is queued, waiting up to {@code timeoutMs} for the first line.
     */
    public void printPending(final long timeoutMs) throws InterruptedException
    {
        Line line = queue.poll(timeoutMs, TimeUnit.MILLISECONDS);
        while (null != line)
        {
            print(line);
            line = queue.poll();
        }
        out.flush();
    }

    /**
     * The line printed first, before any event: which member listens where.
     */
    public void printStarted(final String memberId, final String address, final String detail)
    {
        if (json)
        {
            out.println(new JsonLine()
                .field("time", System.currentTimeMillis())
                .field("event", "started")
                .field("member", memberId)
                .field("address", address));
        }
        else
        {
            out.println(Instant.now() + " started   " + memberId + " " + address +
                (detail.isEmpty() ? "" : " " + detail));
        }
        out.flush();
    }

    /**
     * The last line: the member has stopped ({@code left} says whether its leave reached its peers).
     */
    public void printStopped(final String memberId, final boolean left)
    {
        if (json)
        {
            out.println(new JsonLine()
                .field("time", System.currentTimeMillis())
                .field("event", "stopped")
                .field("member", memberId)
                .field("left", left));
        }
        else
        {
            out.println(Instant.now() + " stopped   " + memberId +
                (left ? " (left the cluster)" : " (leave not confirmed)"));
        }
        out.flush();
    }

    private void print(final Line line)
    {
        if (json)
        {
            final JsonLine object = new JsonLine();
            if (null != line.warning)
            {
                object
                    .field("time", System.currentTimeMillis())
                    .field("event", "warning")
                    .field("message", line.warning);
            }
            else
            {
                final Member member = line.event.member();
                object
                    .field("time", line.event.timeMs())
                    .field("event", line.event.type().jsonName())
                    .field("member", member.id())
                    .field("incarnation", member.incarnation())
                    .field("address", member.endpoint());
            }
            if (null != line.seenBy)
            {
                object.field("seen_by", line.seenBy);
            }
            out.println(object);
        }
        else
        {
            final String seenBy = null == line.seenBy ? "" : " (seen by " + line.seenBy + ")";
            if (null != line.warning)
            {
                out.println(Instant.now() + " warning   " + line.warning + seenBy);
            }
            else
            {
                final Member member = line.event.member();
                out.println(Instant.ofEpochMilli(line.event.timeMs()) + " " + pad(line.event.type().jsonName()) + " " +
                    member.id() + " " + member.endpoint() + " incarnation " + member.incarnation() + seenBy);
            }
        }
    }

    private static String pad(final String name)
    {
        return name.length() >= 9 ? name : name + " ".repeat(9 - name.length());
    }

    private static final class Line
    {
        final String seenBy;
        final MembershipEvent event;
        final String warning;

        Line(final String seenBy, final MembershipEvent event)
        {
            this.seenBy = seenBy;
            this.event = event;
            this.warning = null;
        }

        Line(final String seenBy, final String warning)
        {
            this.seenBy = seenBy;
            this.event = null;
            this.warning = warning;
        }
    }
}
