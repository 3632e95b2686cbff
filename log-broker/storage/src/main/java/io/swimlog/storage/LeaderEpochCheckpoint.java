package io.swimlog.storage;

import java.io.File;
import java.io.IOException;
import java.util.List;

/**
 * Persists the leader epoch history of a partition (epoch to the first offset appended in it), for KIP-101
 * truncation: a follower asks the leader where its last epoch ended and truncates there.
 */
final class LeaderEpochCheckpoint
{
    private final CheckpointFile file;

    LeaderEpochCheckpoint(final File dir)
    {
        file = new CheckpointFile(new File(dir, LogFileNames.LEADER_EPOCH_FILE), 2);
    }

    /**
     * @param entries (epoch, start offset) pairs in increasing order.
     */
    void write(final List<long[]> entries) throws IOException
    {
        file.write(entries);
    }

    /**
     * @return the entries, empty when none were written.
     */
    List<long[]> read() throws IOException
    {
        final List<long[]> entries = file.read();
        return null == entries ? List.of() : entries;
    }
}
