package io.swimlog.tools.broker;

import io.swimlog.client.ClientContext;
import io.swimlog.client.ClientException;
import io.swimlog.client.Producer;
import io.swimlog.client.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code swimlog produce}: one record per line of stdin. Exits 0 only once every record read was acknowledged at
 * the acks level asked for; otherwise says how many were not, and why, and exits 1.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description = "Send each line of stdin as a record; exit 0 once every one was acknowledged.")
public final class ProduceCommand implements Callable<Integer>
{
    /**
     * Where lines come from; tests replace it.
     */
    static InputStream stdin = System.in;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--topic", required = true, paramLabel = "T", description = "Topic to send to.")
    String topic;

    @Option(names = "--acks", paramLabel = "0|1|all", defaultValue = "all",
        description = "0: do not wait; 1: the leader appended; all: every in-sync replica (default: ${DEFAULT-VALUE}).")
    String acks;

    @Option(names = "--key-separator", paramLabel = "S",
        description = "Split each line at the first S: key before, value after. Without it keys are null.")
    String keySeparator;

    public Integer call() throws Exception
    {
        final CommandLine commandLine = spec.commandLine();
        final int acksLevel = parseAcks(commandLine, acks);
        if (null != keySeparator && keySeparator.isEmpty())
        {
            throw new CommandLine.ParameterException(commandLine, "--key-separator must not be empty");
        }
        final ClientContext ctx = client.context(commandLine).acks(acksLevel);
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<ClientException> firstError = new AtomicReference<>();
        long sent = 0;
        try (Producer producer = Producer.create(ctx);
            BufferedReader reader = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)))
        {
            producer.partitionCount(topic);
            String line;
            while (null != (line = reader.readLine()))
            {
                byte[] key = null;
                String value = line;
                if (null != keySeparator)
                {
                    final int at = line.indexOf(keySeparator);
                    if (at < 0)
                    {
                        producer.flush();
                        throw new IllegalArgumentException("line " + (sent + 1) + " has no key separator '" +
                            keySeparator + "'; " + sent + " records before it were sent");
                    }
                    key = line.substring(0, at).getBytes(StandardCharsets.UTF_8);
                    value = line.substring(at + keySeparator.length());
                }
                producer.send(new ProducerRecord(topic, -1, -1, key, value.getBytes(StandardCharsets.UTF_8),
                    List.of()), (metadata, error) ->
                    {
                        if (null != error)
                        {
                            failed.incrementAndGet();
                            firstError.compareAndSet(null, error);
                        }
                    });
                sent++;
            }
            producer.flush();
        }

        if (failed.get() > 0)
        {
            spec.commandLine().getErr().println("swimlog: " + failed.get() + " of " + sent +
                " records were not acknowledged: " + firstError.get().getMessage());
            return 1;
        }

        return 0;
    }

    static int parseAcks(final CommandLine commandLine, final String acks)
    {
        switch (acks)
        {
            case "0": return 0;
            case "1": return 1;
            case "all":
            case "-1": return -1;
            default:
                throw new CommandLine.ParameterException(commandLine, "--acks must be 0, 1 or all, not '" + acks + "'");
        }
    }
}
