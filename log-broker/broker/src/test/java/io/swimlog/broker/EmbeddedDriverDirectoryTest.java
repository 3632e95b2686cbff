package io.swimlog.broker;

import io.aeron.driver.MediaDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node's embedded driver lives where the project's embedded drivers reclaim the directories of killed
 * processes (a {@code swimlog-} directory under /dev/shm), and its directory goes when it closes.
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
}
