package io.swimlog.storage;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.PrintStream;
import java.util.Random;

/**
 * Child process of {@link CrashSafetyTest}: opens the log with flush=always, continues the deterministic batch
 * sequence of the seed from where the log ends, and prints {@code ACK <end offset>} after every commit (one
 * to four pipelined appends each), until it is killed.
 */
public final class CrashAppender
{
    private CrashAppender()
    {
    }

    static LogContext context(final File dir)
    {
        return new LogContext()
            .directory(dir)
            .segmentBytes(24 * 1024)
            .indexIntervalBytes(1024)
            .maxIndexBytes(2048)
            .flushPolicy(FlushPolicy.ALWAYS);
    }

    public static void main(final String[] args) throws Exception
    {
        final File dir = new File(args[0]);
        final long seed = Long.parseLong(args[1]);
        final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "US-ASCII");

        final PartitionLog log = PartitionLog.open(context(dir));
        int n = TestBatches.readAll(log).size();
        out.println("OPEN " + log.logEndOffset() + " " + n);
        out.flush();

        final Random random = new Random(seed ^ n);
        while (true)
        {
            final int pipeline = 1 + random.nextInt(4);
            for (int i = 0; i < pipeline; i++)
            {
                final UnsafeBuffer batch = TestBatches.sequenceBatch(seed, n++);
                log.append(batch, 0, batch.capacity(), 0);
            }
            final long end = log.logEndOffset();
            log.commit(end);
            out.println("ACK " + end);
            out.flush();
        }
    }
}
