package io.swimlog.storage;

import java.io.File;

/**
 * File names of a partition directory: segments are named by their base offset, zero-padded to 20 digits so
 * that lexical order is offset order ({@code 00000000000000000000.log}, {@code .index}, {@code .timeindex}).
 */
final class LogFileNames
{
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String TEMP_SUFFIX = ".tmp";
    static final String RECOVERY_POINT_FILE = "recovery-point-offset-checkpoint";
    static final String LOG_START_OFFSET_FILE = "log-start-offset-checkpoint";
    static final String LEADER_EPOCH_FILE = "leader-epoch-checkpoint";

    private LogFileNames()
    {
    }

    static String filenamePrefix(final long baseOffset)
    {
        final String digits = Long.toString(baseOffset);
        final StringBuilder sb = new StringBuilder(20);
        for (int i = digits.length(); i < 20; i++)
        {
            sb.append('0');
        }

        return sb.append(digits).toString();
    }

    static File logFile(final File dir, final long baseOffset)
    {
        return new File(dir, filenamePrefix(baseOffset) + LOG_SUFFIX);
    }

    static File offsetIndexFile(final File dir, final long baseOffset)
    {
        return new File(dir, filenamePrefix(baseOffset) + INDEX_SUFFIX);
    }

    static File timeIndexFile(final File dir, final long baseOffset)
    {
        return new File(dir, filenamePrefix(baseOffset) + TIME_INDEX_SUFFIX);
    }

    /**
     * @param name of a file.
     * @param suffix it should end with.
     * @return the base offset its name encodes, or -1 if it is not a segment file of that suffix.
     */
    static long baseOffsetOf(final String name, final String suffix)
    {
        if (!name.endsWith(suffix) || name.length() != 20 + suffix.length())
        {
            return -1;
        }

        long value = 0;
        for (int i = 0; i < 20; i++)
        {
            final char c = name.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            value = value * 10 + (c - '0');
            if (value < 0)
            {
                return -1;
            }
        }

        return value;
    }
}
