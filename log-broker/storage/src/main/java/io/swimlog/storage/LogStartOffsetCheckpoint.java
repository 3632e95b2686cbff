package io.swimlog.storage;

import java.io.File;
import java.io.IOException;
import java.util.List;

/**
 * The log start offset: offsets below it are deleted (retention) and never served, even where a segment
 * still holds some of them.
 */
final class LogStartOffsetCheckpoint
{
    private final CheckpointFile file;

    LogStartOffsetCheckpoint(final File dir)
    {
        file = new CheckpointFile(new File(dir, LogFileNames.LOG_START_OFFSET_FILE), 1);
    }

    void write(final long logStartOffset) throws IOException
    {
        file.write(List.of(new long[]{ logStartOffset }));
    }

    /**
     * @return the log start offset, or 0 when none was written.
     */
    long read() throws IOException
    {
        final List<long[]> entries = file.read();
        return null == entries || entries.isEmpty() ? 0 : entries.get(0)[0];
    }
}
