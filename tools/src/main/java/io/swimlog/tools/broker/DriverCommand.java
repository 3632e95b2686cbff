package io.swimlog.tools.broker;

import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.swimlog.broker.BrokerNode;
import io.swimlog.tools.ShutdownSignal;
import org.agrona.CloseHelper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code swimlog driver}: one media driver for every Swimlog process on the host (Aeron's recommended deployment),
 * with the node's settings. Nodes and clients given {@code --aeron-dir} (or {@code -Daeron.dir}) use it instead of
 * each embedding one: a record then crosses one driver thread, not one per process, which on a small machine
 * saves a core's worth of polling and two thread hand-offs per request. SIGTERM stops it and deletes its directory.
 */
@Command(name = "driver", mixinStandardHelpOptions = true,
    description = "Run a media driver for the host's Swimlog nodes and clients (use them with --aeron-dir).")
public final class DriverCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
        description = "The driver's directory (default: ${DEFAULT-VALUE}).")
    File dir = new File(new File("/dev/shm").canWrite() ? "/dev/shm" : System.getProperty("java.io.tmpdir"),
        "swimlog-driver");

    public Integer call() throws Exception
    {
        final CommandLine commandLine = spec.commandLine();
        final PrintWriter out = commandLine.getOut();
        final PrintWriter err = commandLine.getErr();
        if (CommonContext.isDriverActive(dir, CommonContext.DEFAULT_DRIVER_TIMEOUT_MS, (message) -> {}))
        {
            throw new CommandLine.ParameterException(commandLine,
                "a media driver is already running in " + dir.getAbsolutePath());
        }
        // What is left there is a dead driver's: start afresh.
        final MediaDriver.Context ctx = BrokerNode.driverContext()
            .aeronDirectoryName(dir.getAbsolutePath())
            .dirDeleteOnStart(true);

        final ShutdownSignal signal = ShutdownSignal.register(out, err, 15_000);
        MediaDriver driver = null;
        int exitCode = 1;
        try
        {
            driver = MediaDriver.launch(ctx);
            out.println("swimlog driver running in " + driver.aeronDirectoryName() +
                " (use it with --aeron-dir " + driver.aeronDirectoryName() + ")");
            out.flush();
            signal.awaitStopRequest(Long.MAX_VALUE);
            exitCode = 0;
            return exitCode;
        }
        finally
        {
            CloseHelper.close(driver);
            signal.stopped(exitCode);
        }
    }
}
