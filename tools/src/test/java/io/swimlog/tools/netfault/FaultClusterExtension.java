package io.swimlog.tools.netfault;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;

/**
 * The fixture of a network-fault test with one {@link FaultCluster}: skips the test where network namespaces cannot
 * be made, and closes the cluster the test started once it ends, also when it fails.
 */
final class FaultClusterExtension implements BeforeEachCallback, AfterEachCallback
{
    private FaultCluster cluster;

    FaultCluster start(final int size, final FaultCluster.Launcher launcher, final long timeoutMs) throws IOException
    {
        cluster = FaultCluster.start(size, launcher, timeoutMs);
        return cluster;
    }

    public void beforeEach(final ExtensionContext context)
    {
        FaultNetwork.assumeAvailable();
    }

    public void afterEach(final ExtensionContext context)
    {
        if (null != cluster)
        {
            cluster.close();
            cluster = null;
        }
    }
}
