package io.swimlog.tools.broker;

import io.swimlog.broker.BrokerContext;
import io.swimlog.broker.BrokerNode;
import io.swimlog.client.Admin;
import io.swimlog.client.ClientContext;
import io.swimlog.client.ClientException;
import io.swimlog.membership.Membership;
import io.swimlog.membership.aeron.EmbeddedMediaDriver;
import io.swimlog.protocol.broker.ErrorCode;
import io.swimlog.tools.membership.MembershipRunCommand;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * The broker of {@code swimlog dev}: serves on the first member's endpoint through the dev cluster's shared
 * media driver, with a demo topic, its data in {@code --data-dir} or a temporary directory deleted on close.
 */
public final class DevBroker implements AutoCloseable
{
    public static final String DEMO_TOPIC = "demo";
    public static final int DEMO_PARTITIONS = 3;

    private final BrokerNode node;
    private final File tempDir;

    private DevBroker(final BrokerNode node, final File tempDir)
    {
        this.node = node;
        this.tempDir = tempDir;
    }

    /**
     * Start the broker and make sure the demo topic exists.
     */
    public static DevBroker start(
        final EmbeddedMediaDriver driver,
        final String bind,
        final String dataDir,
        final Membership membership,
        final PrintWriter err)
    {
        File tempDir = null;
        final File dir;
        if (null != dataDir)
        {
            dir = new File(dataDir);
        }
        else
        {
            try
            {
                tempDir = Files.createTempDirectory("swimlog-dev-").toFile();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create a temporary data directory: " + ex.getMessage(), ex);
            }
            dir = tempDir;
        }

        BrokerNode node = null;
        try
        {
            node = BrokerNode.start(new BrokerContext()
                .nodeId(membership.localMemberId())
                .bind(bind)
                .dataDir(dir)
                .aeron(driver.aeron())
                .errorHandler(MembershipRunCommand.errorPrinter(err)),
                NodeCommand.directory(membership));
            try (Admin admin = Admin.create(new ClientContext().bootstrap(bind).aeron(driver.aeron())))
            {
                admin.createTopic(DEMO_TOPIC, DEMO_PARTITIONS, 1);
            }
            catch (final ClientException ex)
            {
                if (ErrorCode.TOPIC_ALREADY_EXISTS != ex.errorCode())
                {
                    throw ex;
                }
            }
            return new DevBroker(node, tempDir);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(node);
            if (null != tempDir)
            {
                IoUtil.delete(tempDir, true);
            }
            throw ex;
        }
    }

    /**
     * @return the banner line that tells a user how to produce and consume.
     */
    public static String banner(final String bootstrap, final String dataDir)
    {
        return "broker: bootstrap " + bootstrap + ", topic '" + DEMO_TOPIC + "' (" + DEMO_PARTITIONS +
            " partitions), data in " + (null != dataDir ? dataDir : "a temporary directory") + System.lineSeparator() +
            "produce: echo hello | bin/swimlog produce --bootstrap " + bootstrap + " --topic " + DEMO_TOPIC +
            System.lineSeparator() +
            "consume: bin/swimlog consume --bootstrap " + bootstrap + " --topic " + DEMO_TOPIC + " --from-beginning";
    }

    public void close()
    {
        CloseHelper.close(node);
        if (null != tempDir)
        {
            IoUtil.delete(tempDir, true);
        }
    }
}
