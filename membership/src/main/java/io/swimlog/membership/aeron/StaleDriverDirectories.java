package io.swimlog.membership.aeron;

import io.aeron.CncFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;

/**
 * Deletes the directories that embedded drivers of crashed processes left behind. A driver deletes its directory
 * when it is closed, but a process killed with SIGKILL (or by the OOM killer) cannot, and under {@code /dev/shm}
 * each would hold its memory until reboot.
 * <p>
 * A directory is reclaimed only when all of these hold: its name has our prefix; its {@code cnc.dat} is
 * complete (a driver that is starting has not written its version yet); the process that wrote it no longer
 * exists; and the driver's heartbeat is older than {@link #STALE_HEARTBEAT_MS}, in case that process lives in
 * another PID namespace where its id means nothing here.
 */
final class StaleDriverDirectories
{
    static final long STALE_HEARTBEAT_MS = TimeUnit.MINUTES.toMillis(1);

    private StaleDriverDirectories()
    {
    }

    /**
     * @return how many directories were deleted.
     */
    static int reclaim(final File parent, final String prefix)
    {
        return reclaim(parent, prefix, System.currentTimeMillis());
    }

    static int reclaim(final File parent, final String prefix, final long nowMs)
    {
        final File[] candidates = parent.listFiles((dir, name) -> name.startsWith(prefix));
        int reclaimed = 0;
        if (null != candidates)
        {
            for (final File directory : candidates)
            {
                if (directory.isDirectory() && isAbandoned(directory, nowMs))
                {
                    IoUtil.delete(directory, true);
                    reclaimed++;
                }
            }
        }
        return reclaimed;
    }

    static boolean isAbandoned(final File directory, final long nowMs)
    {
        final File cnc = new File(directory, CncFileDescriptor.CNC_FILE);
        if (!cnc.isFile() || cnc.length() < CncFileDescriptor.META_DATA_LENGTH)
        {
            return false;
        }
        MappedByteBuffer mapped = null;
        try
        {
            mapped = IoUtil.mapExistingFile(cnc, FileChannel.MapMode.READ_ONLY, "cnc");
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(mapped);
            if (CncFileDescriptor.CNC_VERSION != metaData.getIntVolatile(CncFileDescriptor.cncVersionOffset(0)))
            {
                return false;
            }
            final long pid = metaData.getLong(CncFileDescriptor.PID_FIELD_OFFSET);
            if (ProcessHandle.of(pid).isPresent())
            {
                return false;
            }
            final long heartbeatMs = new ManyToOneRingBuffer(CncFileDescriptor.createToDriverBuffer(mapped, metaData))
                .consumerHeartbeatTime();
            return nowMs - heartbeatMs > STALE_HEARTBEAT_MS;
        }
        catch (final RuntimeException ex)
        {
            return false; // unreadable or being replaced: not ours to judge
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }
}
