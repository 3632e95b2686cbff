package io.swimlog.tools.broker;

import io.swimlog.client.ClientContext;
import io.swimlog.membership.aeron.EmbeddedMediaDriver;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options every client command shares: where the broker is.
 */
public final class ClientOptions
{
    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", required = true,
        description = "A broker's address, as printed by 'swimlog dev' or given to 'swimlog node --bind'.")
    String bootstrap;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "Use the media driver running in DIR (see 'swimlog driver') instead of embedding one " +
            "(as -Daeron.dir=DIR does).")
    String aeronDir = System.getProperty("aeron.dir");

    @Option(names = "--ipc",
        description = "Talk to the node over shared memory through the media driver both use (needs --aeron-dir, " +
            "the node's): the lowest latency for a client on the node's host.")
    boolean ipc = Boolean.getBoolean(ClientContext.IPC_PROP);

    /**
     * A fresh directory for a command's embedded media driver, named as the project's other embedded drivers so
     * that the next launch reclaims it if the command is killed before it can delete it.
     */
    static String embeddedDriverDirectory()
    {
        return EmbeddedMediaDriver.freshDirectory("client");
    }

    /**
     * @return a client context for the bootstrap address; a malformed address is a usage error.
     */
    ClientContext context(final CommandLine commandLine)
    {
        final ClientContext ctx = new ClientContext().bootstrap(bootstrap).clientName("swimlog-cli")
            .aeronDirectoryName(aeronDir)
            .ipc(ipc)
            .embeddedDriverDirectory(ClientOptions::embeddedDriverDirectory);
        try
        {
            return ctx.conclude().clone().bootstrap(bootstrap);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(commandLine,
                (ipc && null == aeronDir ? "--ipc: " : "--bootstrap: ") + ex.getMessage(), ex);
        }
    }
}
