package io.swimlog.broker;

import io.swimlog.storage.FlushPolicy;

import java.io.File;

/**
 * A broker alone in its JVM, for tests that kill it: {@code BrokerProcessMain ENDPOINT DATA_DIR}. Prints
 * "ready" once it serves; runs until killed.
 */
public final class BrokerProcessMain
{
    private BrokerProcessMain()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final BrokerNode node = BrokerNode.start(new BrokerContext()
            .nodeId("crash-test")
            .bind(args[0])
            .dataDir(new File(args[1]))
            .flushPolicy(FlushPolicy.ALWAYS));
        System.out.println("ready");
        System.out.flush();
        Thread.currentThread().join();
        node.close();
    }
}
