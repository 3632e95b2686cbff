package io.swimlog.broker;

import io.aeron.driver.MediaDriver;
import io.swimlog.client.ClientContext;
import io.swimlog.storage.FlushPolicy;
import org.agrona.CloseHelper;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;

/**
 * A broker on a free loopback port with its own data directory, and one embedded media driver that the broker
 * and the test's clients share.
 */
final class TestBroker implements AutoCloseable
{
    final MediaDriver driver;
    final File dataDir;
    final String endpoint;
    BrokerNode node;
    int termLength = BrokerContext.DEFAULT_TERM_LENGTH;
    long sessionTimeoutMs = 5_000;
    int maxSessions = 4096;
    Long retentionBytes;
    int segmentBytes = 256 * 1024 * 1024;
    io.swimlog.storage.FlushPolicy flushPolicy = FlushPolicy.NEVER;

    TestBroker(final File dataDir)
    {
        this.dataDir = dataDir;
        this.endpoint = "127.0.0.1:" + freeUdpPort();
        this.driver = BrokerNode.launchEmbeddedDriver();
        start();
    }

    void start()
    {
        node = BrokerNode.start(context());
    }

    BrokerContext context()
    {
        return new BrokerContext()
            .nodeId("test-broker")
            .bind(endpoint)
            .dataDir(dataDir)
            .flushPolicy(flushPolicy)
            .termLength(termLength)
            .sessionTimeoutMs(sessionTimeoutMs)
            .maxSessions(maxSessions)
            .retentionBytes(retentionBytes)
            .segmentBytes(segmentBytes)
            .aeronDirectoryName(driver.aeronDirectoryName());
    }

    void restart()
    {
        node.close();
        start();
    }

    ClientContext client()
    {
        return new ClientContext()
            .bootstrap(endpoint)
            .aeronDirectoryName(driver.aeronDirectoryName())
            .requestTimeoutMs(10_000)
            .deliveryTimeoutMs(60_000);
    }

    static int freeUdpPort()
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
    }
}
