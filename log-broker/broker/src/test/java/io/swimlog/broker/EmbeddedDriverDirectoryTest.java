package io.swimlog.broker;

import io.aeron.driver.MediaDriver;
import io.swimlog.client.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node's embedded driver lives where the project's embedded drivers reclaim the directories of killed
 * processes (a {@code swimlog-} directory under /dev/shm), a client's where its context says, and either
 * directory goes when its owner closes.
 */
@Timeout(30)
class EmbeddedDriverDirectoryTest
{
    @Test
    void theDriverDirectoryIsOneThatALaterLaunchCanReclaimAndCloseDeletesIt()
    {
        final MediaDriver driver = BrokerNode.launchEmbeddedDriver();
        final File directory = new File(driver.aeronDirectoryName());
        try
        {
            assertThat(directory.getName()).startsWith("swimlog-broker-");
            assertThat(directory).isDirectory();
        }
        finally
        {
            driver.close();
        }
        assertThat(directory).doesNotExist();
    }

    @Test
    void aClientLaunchesItsOwnDriverInTheDirectoryItsContextNames(@TempDir final File dataDir) throws Exception
    {
        final TestBroker broker = new TestBroker(dataDir);
        final File directory = new File(dataDir, "client-driver");
        try (Admin admin = Admin.create(broker.client().aeronDirectoryName(null)
            .embeddedDriverDirectory(directory::getPath)))
        {
            assertThat(new File(directory, "cnc.dat")).isFile();
            assertThat(admin.listTopics()).isEmpty();
        }
        finally
        {
            broker.close();
        }
        assertThat(directory).doesNotExist();
    }
}
