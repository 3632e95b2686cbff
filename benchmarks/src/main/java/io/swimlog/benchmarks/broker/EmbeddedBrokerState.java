package io.swimlog.benchmarks.broker;

import io.aeron.driver.MediaDriver;
import io.swimlog.broker.BrokerContext;
import io.swimlog.broker.BrokerNode;
import io.swimlog.client.Admin;
import io.swimlog.client.ClientContext;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;

/**
 * A broker on a free loopback port with one topic, sharing one media driver with the benchmark's clients.
 */
final class EmbeddedBrokerState implements AutoCloseable
{
    final MediaDriver driver;
    final File dataDir;
    final BrokerNode node;
    final String bootstrap;

    EmbeddedBrokerState(final String topic, final int partitions)
    {
        try
        {
            dataDir = Files.createTempDirectory("swimlog-jmh-broker").toFile();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        driver = BrokerNode.launchEmbeddedDriver();
        bootstrap = "127.0.0.1:" + freePort();
        node = BrokerNode.start(new BrokerContext()
            .nodeId("jmh")
            .bind(bootstrap)
            .dataDir(dataDir)
            .aeronDirectoryName(driver.aeronDirectoryName()));
        try (Admin admin = Admin.create(client()))
        {
            admin.createTopic(topic, partitions, 1);
        }
    }

    ClientContext client()
    {
        return new ClientContext().bootstrap(bootstrap).aeronDirectoryName(driver.aeronDirectoryName());
    }

    private static int freePort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    public void close()
    {
        CloseHelper.closeAll(node, driver);
        IoUtil.delete(dataDir, true);
    }
}
