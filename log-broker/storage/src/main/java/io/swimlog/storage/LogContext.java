package io.swimlog.storage;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.io.File;

/**
 * Settings of one partition log, in Aeron's Context style: fluent setters, defaults from system properties,
 * validated once by {@link #conclude()} (which {@link PartitionLog#open} calls).
 * <p>
 * Not thread safe; a concluded context is not changed again.
 */
public final class LogContext implements Cloneable
{
    public static final String SEGMENT_BYTES_PROP = "swimlog.log.segment.bytes";
    public static final int SEGMENT_BYTES_DEFAULT = 1024 * 1024 * 1024;
    public static final String SEGMENT_MS_PROP = "swimlog.log.segment.ms";
    public static final long SEGMENT_MS_DEFAULT = 7L * 24 * 3600 * 1000;
    public static final String INDEX_INTERVAL_BYTES_PROP = "swimlog.log.index.interval.bytes";
    public static final int INDEX_INTERVAL_BYTES_DEFAULT = 4096;
    public static final String MAX_INDEX_BYTES_PROP = "swimlog.log.index.max.bytes";
    public static final int MAX_INDEX_BYTES_DEFAULT = 4 * 1024 * 1024;
    public static final String MAX_BATCH_BYTES_PROP = "swimlog.log.max.batch.bytes";
    public static final int MAX_BATCH_BYTES_DEFAULT = 8 * 1024 * 1024;
    public static final String FLUSH_POLICY_PROP = "swimlog.log.flush.policy";
    public static final String FLUSH_INTERVAL_MESSAGES_PROP = "swimlog.log.flush.interval.messages";
    public static final String FLUSH_INTERVAL_MS_PROP = "swimlog.log.flush.interval.ms";
    public static final long FLUSH_INTERVAL_MS_DEFAULT = 1000;
    public static final String RETENTION_BYTES_PROP = "swimlog.log.retention.bytes";
    public static final String RETENTION_MS_PROP = "swimlog.log.retention.ms";
    public static final long RETENTION_MS_DEFAULT = 7L * 24 * 3600 * 1000;

    private File directory;
    private int segmentBytes = Integer.getInteger(SEGMENT_BYTES_PROP, SEGMENT_BYTES_DEFAULT);
    private long segmentMs = Long.getLong(SEGMENT_MS_PROP, SEGMENT_MS_DEFAULT);
    private int indexIntervalBytes = Integer.getInteger(INDEX_INTERVAL_BYTES_PROP, INDEX_INTERVAL_BYTES_DEFAULT);
    private int maxIndexBytes = Integer.getInteger(MAX_INDEX_BYTES_PROP, MAX_INDEX_BYTES_DEFAULT);
    private int maxBatchBytes = Integer.getInteger(MAX_BATCH_BYTES_PROP, MAX_BATCH_BYTES_DEFAULT);
    private FlushPolicy flushPolicy = FlushPolicy.valueOf(System.getProperty(FLUSH_POLICY_PROP, "NEVER"));
    private long flushIntervalMessages = Long.getLong(FLUSH_INTERVAL_MESSAGES_PROP, Long.MAX_VALUE);
    private long flushIntervalMs = Long.getLong(FLUSH_INTERVAL_MS_PROP, FLUSH_INTERVAL_MS_DEFAULT);
    private long retentionBytes = Long.getLong(RETENTION_BYTES_PROP, -1L);
    private long retentionMs = Long.getLong(RETENTION_MS_PROP, RETENTION_MS_DEFAULT);
    private EpochClock epochClock;
    private boolean concluded;

    /**
     * Validate the settings and fill in the derived ones.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad setting.
     */
    public LogContext conclude()
    {
        if (concluded)
        {
            return this;
        }

        if (null == directory)
        {
            throw new IllegalArgumentException("directory must be set");
        }
        if (!directory.isDirectory() && !directory.mkdirs() && !directory.isDirectory())
        {
            throw new IllegalArgumentException("cannot create log directory " + directory);
        }
        if (maxBatchBytes < 64)
        {
            throw new IllegalArgumentException("maxBatchBytes must be at least 64: " + maxBatchBytes);
        }
        if (segmentBytes < maxBatchBytes && segmentBytes < 1024)
        {
            throw new IllegalArgumentException("segmentBytes must be at least 1 KiB: " + segmentBytes);
        }
        if (segmentMs <= 0)
        {
            throw new IllegalArgumentException("segmentMs must be positive: " + segmentMs);
        }
        if (indexIntervalBytes < 0)
        {
            throw new IllegalArgumentException("indexIntervalBytes must not be negative: " + indexIntervalBytes);
        }
        if (maxIndexBytes < 4 * TimeIndex.ENTRY_SIZE)
        {
            throw new IllegalArgumentException("maxIndexBytes must hold at least 4 entries: " + maxIndexBytes);
        }
        if (null == flushPolicy)
        {
            throw new IllegalArgumentException("flushPolicy must be set");
        }
        if (flushIntervalMessages < 1 || flushIntervalMs < 0)
        {
            throw new IllegalArgumentException("flush intervals must be positive");
        }
        if (null == epochClock)
        {
            epochClock = SystemEpochClock.INSTANCE;
        }
        concluded = true;

        return this;
    }

    public LogContext directory(final File directory)
    {
        this.directory = directory;
        return this;
    }

    /**
     * @return the partition directory holding the segments and checkpoints.
     */
    public File directory()
    {
        return directory;
    }

    public LogContext segmentBytes(final int segmentBytes)
    {
        this.segmentBytes = segmentBytes;
        return this;
    }

    /**
     * @return roll to a new segment before one would exceed this many bytes.
     */
    public int segmentBytes()
    {
        return segmentBytes;
    }

    public LogContext segmentMs(final long segmentMs)
    {
        this.segmentMs = segmentMs;
        return this;
    }

    /**
     * @return roll when a batch's timestamp is this much newer than the active segment's first batch's.
     */
    public long segmentMs()
    {
        return segmentMs;
    }

    public LogContext indexIntervalBytes(final int indexIntervalBytes)
    {
        this.indexIntervalBytes = indexIntervalBytes;
        return this;
    }

    /**
     * @return bytes of batches between offset index entries: smaller finds faster, larger keeps the index small.
     */
    public int indexIntervalBytes()
    {
        return indexIntervalBytes;
    }

    public LogContext maxIndexBytes(final int maxIndexBytes)
    {
        this.maxIndexBytes = maxIndexBytes;
        return this;
    }

    /**
     * @return size each index file is preallocated to; a full index rolls the segment.
     */
    public int maxIndexBytes()
    {
        return maxIndexBytes;
    }

    public LogContext maxBatchBytes(final int maxBatchBytes)
    {
        this.maxBatchBytes = maxBatchBytes;
        return this;
    }

    /**
     * @return largest batch accepted; recovery also treats a length above it as corruption.
     */
    public int maxBatchBytes()
    {
        return maxBatchBytes;
    }

    public LogContext flushPolicy(final FlushPolicy flushPolicy)
    {
        this.flushPolicy = flushPolicy;
        return this;
    }

    public FlushPolicy flushPolicy()
    {
        return flushPolicy;
    }

    public LogContext flushIntervalMessages(final long flushIntervalMessages)
    {
        this.flushIntervalMessages = flushIntervalMessages;
        return this;
    }

    /**
     * @return with {@link FlushPolicy#INTERVAL}, force after this many unflushed messages.
     */
    public long flushIntervalMessages()
    {
        return flushIntervalMessages;
    }

    public LogContext flushIntervalMs(final long flushIntervalMs)
    {
        this.flushIntervalMs = flushIntervalMs;
        return this;
    }

    /**
     * @return with {@link FlushPolicy#INTERVAL}, force when this long has passed since the last force.
     */
    public long flushIntervalMs()
    {
        return flushIntervalMs;
    }

    public LogContext retentionBytes(final long retentionBytes)
    {
        this.retentionBytes = retentionBytes;
        return this;
    }

    /**
     * @return delete oldest segments while the log would stay above this size; -1 for no limit.
     */
    public long retentionBytes()
    {
        return retentionBytes;
    }

    public LogContext retentionMs(final long retentionMs)
    {
        this.retentionMs = retentionMs;
        return this;
    }

    /**
     * @return delete segments whose newest record is older than this; -1 for no limit.
     */
    public long retentionMs()
    {
        return retentionMs;
    }

    public LogContext epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    /**
     * @return clock for flush intervals, rolls and retention (tests inject their own).
     */
    public EpochClock epochClock()
    {
        return epochClock;
    }

    /**
     * @return a copy, not concluded, to open the same log again.
     */
    public LogContext clone()
    {
        try
        {
            final LogContext copy = (LogContext)super.clone();
            copy.concluded = false;
            return copy;
        }
        catch (final CloneNotSupportedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public String toString()
    {
        return "LogContext{directory=" + directory + ", segmentBytes=" + segmentBytes + ", segmentMs=" + segmentMs +
            ", indexIntervalBytes=" + indexIntervalBytes + ", maxIndexBytes=" + maxIndexBytes +
            ", maxBatchBytes=" + maxBatchBytes + ", flushPolicy=" + flushPolicy +
            ", flushIntervalMessages=" + flushIntervalMessages + ", flushIntervalMs=" + flushIntervalMs +
            ", retentionBytes=" + retentionBytes + ", retentionMs=" + retentionMs + '}';
    }
}
