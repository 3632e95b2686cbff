package io.swimlog.storage;

import io.swimlog.protocol.record.RecordBatchValidator;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Opens the segments of a partition directory and recovers them, as the log does on open:
 * <ol>
 * <li>delete leftovers: temporary checkpoint files, index files without a log file;</li>
 * <li>delete segments wholly below the log start offset (retention that crashed half way);</li>
 * <li>segments before the one holding the recovery point are trusted: their indexes are loaded and checked
 *     against the log, and rebuilt from it if missing or inconsistent;</li>
 * <li>from the segment holding the recovery point on, every batch is read and validated (length, CRC-32C,
 *     records, contiguous offsets) and the indexes rebuilt; at the first bad batch the segment is truncated
 *     and every later segment deleted, since nothing after a hole can be trusted to be contiguous. A last
 *     segment whose indexes check out and that ends exactly at the recovery point (a clean close) is not
 *     scanned again.</li>
 * </ol>
 * Everything it does goes into the {@link RecoveryReport}. Runs once, on the opening thread.
 */
final class LogLoader
{
    record Loaded(List<LogSegment> segments, long logStartOffset, long recoveryPoint)
    {
    }

    private final LogContext ctx;
    private final File dir;
    private final RecoveryReport report;
    private final BatchHeaderReader reader;
    private final RecordBatchValidator validator;

    LogLoader(
        final LogContext ctx,
        final RecoveryReport report,
        final BatchHeaderReader reader,
        final RecordBatchValidator validator)
    {
        this.ctx = ctx;
        this.dir = ctx.directory();
        this.report = report;
        this.reader = reader;
        this.validator = validator;
    }

    Loaded load(final long checkpointedRecoveryPoint, final long checkpointedLogStart) throws IOException
    {
        final long[] baseOffsets = scanDirectory();
        final ArrayList<LogSegment> segments = new ArrayList<>(baseOffsets.length + 1);
        try
        {
            for (final long baseOffset : baseOffsets)
            {
                segments.add(LogSegment.open(dir, baseOffset, ctx));
            }

            while (segments.size() > 1 && segments.get(1).baseOffset() <= checkpointedLogStart)
            {
                final LogSegment segment = segments.remove(0);
                report.add(RecoveryReport.Action.SEGMENT_DELETED, segment.baseOffset(), segment.size(),
                    "wholly below the log start offset " + checkpointedLogStart);
                segment.delete();
            }

            int firstToRecover = 0;
            for (int i = 0; i < segments.size(); i++)
            {
                if (segments.get(i).baseOffset() <= checkpointedRecoveryPoint)
                {
                    firstToRecover = i;
                }
            }

            for (int i = 0; i < firstToRecover; i++)
            {
                final LogSegment segment = segments.get(i);
                final String problem = segment.loadIndexes(reader);
                if (null != problem)
                {
                    rebuild(segment, problem, true);
                }
                if (segment.nextOffset() != segments.get(i + 1).baseOffset())
                {
                    report.add(RecoveryReport.Action.SEGMENT_TRUNCATED, segment.baseOffset(), 0,
                        "segment ends at offset " + segment.nextOffset() + " but the next starts at " +
                        segments.get(i + 1).baseOffset());
                    deleteFrom(segments, i + 1, "after a gap in the offsets");
                    firstToRecover = segments.size();
                    break;
                }
            }

            if (firstToRecover < segments.size())
            {
                recoverFrom(segments, firstToRecover, checkpointedRecoveryPoint);
            }

            if (segments.isEmpty())
            {
                final long baseOffset = Math.max(0, checkpointedLogStart);
                segments.add(LogSegment.create(dir, baseOffset, ctx));
                report.add(RecoveryReport.Action.SEGMENT_CREATED, baseOffset, 0, "empty partition directory");
            }
            else
            {
                segments.get(segments.size() - 1).makeActive();
            }

            final long logEnd = segments.get(segments.size() - 1).nextOffset();
            final long logStart = Math.min(logEnd, Math.max(checkpointedLogStart, segments.get(0).baseOffset()));

            return new Loaded(segments, logStart, Math.min(checkpointedRecoveryPoint, logEnd));
        }
        catch (final IOException | RuntimeException ex)
        {
            for (final LogSegment segment : segments)
            {
                try
                {
                    segment.close();
                }
                catch (final RuntimeException suppressed)
                {
                    ex.addSuppressed(suppressed);
                }
            }
            throw ex;
        }
    }

    private void recoverFrom(final ArrayList<LogSegment> segments, final int first, final long recoveryPoint)
        throws IOException
    {
        final int last = segments.size() - 1;
        if (first == last)
        {
            final LogSegment segment = segments.get(last);
            if (null == segment.loadIndexes(reader) && segment.nextOffset() <= recoveryPoint)
            {
                return;
            }
        }

        for (int i = first; i < segments.size(); i++)
        {
            final LogSegment segment = segments.get(i);
            if (i > 0 && segment.baseOffset() != segments.get(i - 1).nextOffset())
            {
                deleteFrom(segments, i, "starts at offset " + segment.baseOffset() + " but the segment before ends at " +
                    segments.get(i - 1).nextOffset());
                return;
            }

            final long sizeBefore = segment.channel().size();
            final String problem = rebuild(segment, "after the recovery point " + recoveryPoint, i < segments.size() - 1);
            if (null != problem)
            {
                report.add(RecoveryReport.Action.SEGMENT_TRUNCATED, segment.baseOffset(), sizeBefore - segment.size(),
                    problem + "; kept " + segment.size() + " bytes up to offset " + segment.nextOffset());
                deleteFrom(segments, i + 1, "after the truncated segment " + segment.baseOffset());
                return;
            }
        }
    }

    /**
     * Scan and validate a segment, rebuilding its indexes; inactive segments get their indexes trimmed again.
     *
     * @return null if the segment was intact, else why it was truncated.
     */
    private String rebuild(final LogSegment segment, final String why, final boolean inactive) throws IOException
    {
        segment.makeActive();
        final String problem = segment.recover(reader, validator, true);
        if (null == problem && why.startsWith("after"))
        {
            report.add(RecoveryReport.Action.SEGMENT_SCANNED, segment.baseOffset(), 0, why);
        }
        else if (!why.startsWith("after"))
        {
            report.add(RecoveryReport.Action.INDEX_REBUILT, segment.baseOffset(), 0, why);
            if (null != problem)
            {
                report.add(RecoveryReport.Action.SEGMENT_TRUNCATED, segment.baseOffset(), 0, problem);
            }
        }
        if (inactive && null == problem)
        {
            segment.onBecomeInactive();
        }

        return problem;
    }

    private void deleteFrom(final ArrayList<LogSegment> segments, final int from, final String why) throws IOException
    {
        while (segments.size() > from)
        {
            final LogSegment segment = segments.remove(segments.size() - 1);
            report.add(RecoveryReport.Action.SEGMENT_DELETED, segment.baseOffset(), segment.size(), why);
            segment.delete();
        }
    }

    private long[] scanDirectory() throws IOException
    {
        final String[] names = dir.list();
        if (null == names)
        {
            throw new IOException("cannot list " + dir);
        }
        Arrays.sort(names);

        final ArrayList<Long> logs = new ArrayList<>();
        for (final String name : names)
        {
            final long baseOffset = LogFileNames.baseOffsetOf(name, LogFileNames.LOG_SUFFIX);
            if (baseOffset >= 0)
            {
                logs.add(baseOffset);
            }
        }

        for (final String name : names)
        {
            final File file = new File(dir, name);
            long orphan = LogFileNames.baseOffsetOf(name, LogFileNames.INDEX_SUFFIX);
            if (orphan < 0)
            {
                orphan = LogFileNames.baseOffsetOf(name, LogFileNames.TIME_INDEX_SUFFIX);
            }
            if (name.endsWith(LogFileNames.TEMP_SUFFIX) || (orphan >= 0 && !logs.contains(orphan)))
            {
                Files.deleteIfExists(file.toPath());
                report.add(RecoveryReport.Action.STRAY_FILE_DELETED, -1, 0, name);
            }
        }

        final long[] result = new long[logs.size()];
        for (int i = 0; i < result.length; i++)
        {
            result[i] = logs.get(i);
        }

        return result;
    }
}
