package io.swimlog.membership.aeron;

import io.aeron.CncFileDescriptor;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StaleDriverDirectoriesTest
{
    private static final long LATER_MS = 2 * StaleDriverDirectories.STALE_HEARTBEAT_MS;

    @TempDir
    File parent;

    @Test
    void directoryOfAProcessThatIsGoneIsReclaimedOnceItsHeartbeatIsStale() throws Exception
    {
        final File directory = closedDriverDirectory("swimlog-crashed");
        writePid(directory, deadPid());
        writeHeartbeat(directory, System.currentTimeMillis());

        assertThat(StaleDriverDirectories.isAbandoned(directory, System.currentTimeMillis()))
            .as("fresh heartbeat: the pid may belong to another namespace").isFalse();
        final long later = System.currentTimeMillis() + LATER_MS;
        assertThat(StaleDriverDirectories.reclaim(parent, "swimlog-", later)).isEqualTo(1);
        assertThat(directory).doesNotExist();
    }

    @Test
    void directoryOfALiveProcessIsKeptHoweverOldItsHeartbeat() throws Exception
    {
        final File directory = closedDriverDirectory("swimlog-alive");

        assertThat(StaleDriverDirectories.reclaim(parent, "swimlog-", System.currentTimeMillis() + LATER_MS)).isZero();
        assertThat(directory).isDirectory();
    }

    @Test
    void directoriesWithoutACompleteCncFileOrWithAnotherPrefixAreKept() throws Exception
    {
        final File empty = new File(parent, "swimlog-starting");
        assertThat(empty.mkdir()).isTrue();
        final File unversioned = closedDriverDirectory("swimlog-unversioned");
        writePid(unversioned, deadPid());
        writeInt(unversioned, CncFileDescriptor.cncVersionOffset(0), 0);
        final File foreign = closedDriverDirectory("aeron-someone-else");
        writePid(foreign, deadPid());

        assertThat(StaleDriverDirectories.reclaim(parent, "swimlog-", System.currentTimeMillis() + LATER_MS)).isZero();
        assertThat(empty).isDirectory();
        assertThat(unversioned).isDirectory();
        assertThat(foreign).isDirectory();
    }

    /**
     * A closed driver marks its heartbeat as ended; one killed mid-run leaves its last beat, as written here.
     */
    private static void writeHeartbeat(final File directory, final long timeMs)
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(new File(directory, CncFileDescriptor.CNC_FILE), "cnc");
        try
        {
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(mapped);
            new ManyToOneRingBuffer(CncFileDescriptor.createToDriverBuffer(mapped, metaData))
                .consumerHeartbeatTime(timeMs);
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    private File closedDriverDirectory(final String name)
    {
        final File directory = new File(parent, name);
        final MediaDriver.Context ctx = new MediaDriver.Context()
            .aeronDirectoryName(directory.getPath())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(false);
        MediaDriver.launchEmbedded(ctx).close();
        assertThat(new File(directory, CncFileDescriptor.CNC_FILE)).isFile();
        return directory;
    }

    private static long deadPid() throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("true").start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return process.pid();
    }

    private static void writePid(final File directory, final long pid) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(new File(directory, CncFileDescriptor.CNC_FILE), "rw"))
        {
            final ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, pid);
            file.getChannel().write(buffer, CncFileDescriptor.PID_FIELD_OFFSET);
        }
    }

    private static void writeInt(final File directory, final int offset, final int value) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(new File(directory, CncFileDescriptor.CNC_FILE), "rw"))
        {
            final ByteBuffer buffer =
                ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value);
            file.getChannel().write(buffer, offset);
        }
    }
}
