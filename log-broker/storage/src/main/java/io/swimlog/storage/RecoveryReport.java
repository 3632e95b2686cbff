package io.swimlog.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What opening a partition log found and did: which segments were scanned, where a torn or corrupt tail was
 * cut and why, which segments were deleted, which indexes were rebuilt, which stray files were removed.
 * {@link #toString()} prints it for an operator.
 */
public final class RecoveryReport
{
    /**
     * Kinds of action recovery takes.
     */
    public enum Action
    {
        /** A segment after the recovery point was scanned batch by batch and its indexes rebuilt. */
        SEGMENT_SCANNED,
        /** A segment's log was cut at the first invalid batch. */
        SEGMENT_TRUNCATED,
        /** A segment after a corrupt one, or wholly below the log start offset, was deleted. */
        SEGMENT_DELETED,
        /** A segment before the recovery point had a missing or inconsistent index, rebuilt from its log. */
        INDEX_REBUILT,
        /** A leftover file (temporary checkpoint, index without a log) was deleted. */
        STRAY_FILE_DELETED,
        /** The partition had no segment: an empty one was created. */
        SEGMENT_CREATED,
        /** A checkpoint file did not parse: recovery fell back to its default (recover everything, start at 0). */
        CHECKPOINT_IGNORED
    }

    /**
     * One action on one segment or file.
     *
     * @param action       what was done.
     * @param baseOffset   of the segment, or -1 for a file that is not one.
     * @param bytesRemoved from the log by a truncation or deletion, else 0.
     * @param detail       why, in words.
     */
    public record Event(Action action, long baseOffset, long bytesRemoved, String detail)
    {
        public String toString()
        {
            return action + (baseOffset >= 0 ? " segment " + baseOffset : "") +
                (bytesRemoved > 0 ? " (" + bytesRemoved + " bytes removed)" : "") + ": " + detail;
        }
    }

    private final List<Event> events = new ArrayList<>();
    private long recoveryPoint;
    private long logStartOffset;
    private long logEndOffset;
    private int segments;
    private long durationNs;

    void add(final Action action, final long baseOffset, final long bytesRemoved, final String detail)
    {
        events.add(new Event(action, baseOffset, bytesRemoved, detail));
    }

    void complete(
        final long recoveryPoint, final long logStartOffset, final long logEndOffset, final int segments,
        final long durationNs)
    {
        this.recoveryPoint = recoveryPoint;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
        this.segments = segments;
        this.durationNs = durationNs;
    }

    public List<Event> events()
    {
        return Collections.unmodifiableList(events);
    }

    /**
     * @param action to count.
     * @return how many events of that kind happened.
     */
    public int count(final Action action)
    {
        int n = 0;
        for (final Event e : events)
        {
            if (e.action() == action)
            {
                n++;
            }
        }

        return n;
    }

    /**
     * @return bytes removed from the log by truncations and deletions.
     */
    public long bytesRemoved()
    {
        long n = 0;
        for (final Event e : events)
        {
            n += e.bytesRemoved();
        }

        return n;
    }

    /**
     * @return true if recovery cut or deleted data (as opposed to only scanning or rebuilding).
     */
    public boolean lostData()
    {
        return count(Action.SEGMENT_TRUNCATED) > 0 || bytesRemoved() > 0;
    }

    /**
     * @return the recovery point read from the checkpoint on open.
     */
    public long recoveryPoint()
    {
        return recoveryPoint;
    }

    public long logStartOffset()
    {
        return logStartOffset;
    }

    public long logEndOffset()
    {
        return logEndOffset;
    }

    public int segments()
    {
        return segments;
    }

    public String toString()
    {
        final StringBuilder sb = new StringBuilder(128 + 96 * events.size());
        sb.append("recovery: ").append(segments).append(" segments, log [").append(logStartOffset).append(", ")
            .append(logEndOffset).append("), recovery point was ").append(recoveryPoint).append(", took ")
            .append(durationNs / 1000).append(" us");
        for (final Event e : events)
        {
            sb.append("\n  ").append(e);
        }

        return sb.toString();
    }
}
