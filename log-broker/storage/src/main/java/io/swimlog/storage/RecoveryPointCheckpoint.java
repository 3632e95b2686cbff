package io.swimlog.storage;

import java.io.File;
import java.io.IOException;
import java.util.List;

/**
 * The recovery point: every offset below it was forced to the device, with the indexes of every segment that
 * lies wholly below it, so opening the log only scans and rebuilds segments from the one holding it on.
 */
final class RecoveryPointCheckpoint
{
    private final CheckpointFile file;

    RecoveryPointCheckpoint(final File dir)
    {
        file = new CheckpointFile(new File(dir, LogFileNames.RECOVERY_POINT_FILE), 1);
    }

    void write(final long recoveryPoint) throws IOException
    {
        file.write(List.of(new long[]{ recoveryPoint }));
    }

    /**
     * @return the recovery point, or 0 when there is none yet (recover everything).
     */
    long read() throws IOException
    {
        final List<long[]> entries = file.read();
        return null == entries || entries.isEmpty() ? 0 : entries.get(0)[0];
    }
}
