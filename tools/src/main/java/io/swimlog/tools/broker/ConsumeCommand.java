package io.swimlog.tools.broker;

import io.swimlog.client.Consumer;
import io.swimlog.client.ConsumerRecord;
import io.swimlog.client.Header;
import io.swimlog.tools.ShutdownSignal;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code swimlog consume}: print records of every partition of a topic, values one a line, or one JSON object a
 * line with {@code --json}. Runs until Ctrl-C, {@code --max} records, or {@code --idle-timeout-ms} without one.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
    description = "Print the records of a topic: values one a line, or JSON objects with --json.")
public final class ConsumeCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--topic", required = true, paramLabel = "T", description = "Topic to read.")
    String topic;

    @Option(names = "--group", paramLabel = "G",
        description = "Consumer group (not available yet: without it every partition is read).")
    String group;

    @Option(names = "--from-beginning", description = "Start at the oldest record, not at the end.")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", description = "Exit after N records.")
    Long max;

    @Option(names = "--idle-timeout-ms", paramLabel = "MS",
        description = "Exit when no record arrived for this long (default: wait forever).")
    Long idleTimeoutMs;

    @Option(names = "--json", description = "One object a line: topic, partition, offset, timestamp, key, value, " +
        "headers (text when UTF-8, else base64 with key_base64/value_base64 true).")
    boolean json;

    public Integer call()
    {
        final CommandLine commandLine = spec.commandLine();
        if (null != group)
        {
            throw new CommandLine.ParameterException(commandLine,
                "consumer groups are not available yet; leave out --group to read every partition");
        }
        if (null != max && max < 0)
        {
            throw new CommandLine.ParameterException(commandLine, "--max must not be negative");
        }
        final PrintWriter out = commandLine.getOut();
        final ShutdownSignal signal = ShutdownSignal.register(out, commandLine.getErr(), 5_000);
        int exitCode = 1;
        long count = 0;
        try (Consumer consumer = Consumer.create(client.context(commandLine).fromBeginning(fromBeginning)))
        {
            consumer.subscribe(List.of(topic));
            long lastRecordMs = System.currentTimeMillis();
            while (!signal.isStopRequested() && (null == max || count < max))
            {
                final List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(100));
                for (final ConsumerRecord record : records)
                {
                    if (null != max && count >= max)
                    {
                        break;
                    }
                    out.println(json ? toJson(record) : text(record.value()));
                    count++;
                }
                if (!records.isEmpty())
                {
                    out.flush();
                    lastRecordMs = System.currentTimeMillis();
                }
                else if (null != idleTimeoutMs && System.currentTimeMillis() - lastRecordMs >= idleTimeoutMs)
                {
                    break;
                }
            }
            exitCode = 0;
        }
        finally
        {
            out.flush();
            signal.stopped(exitCode);
        }

        return exitCode;
    }

    private static String text(final byte[] value)
    {
        return null == value ? "null" : new String(value, StandardCharsets.UTF_8);
    }

    static String toJson(final ConsumerRecord record)
    {
        final StringBuilder out = new StringBuilder(128).append('{');
        out.append(Json.string("topic")).append(": ").append(Json.string(record.topic())).append(", ");
        out.append(Json.string("partition")).append(": ").append(record.partition()).append(", ");
        out.append(Json.string("offset")).append(": ").append(record.offset()).append(", ");
        out.append(Json.string("timestamp")).append(": ").append(record.timestamp()).append(", ");
        Json.bytesField(out, "key", record.key());
        out.append(", ");
        Json.bytesField(out, "value", record.value());
        out.append(", ").append(Json.string("headers")).append(": [");
        for (int i = 0; i < record.headers().size(); i++)
        {
            final Header header = record.headers().get(i);
            out.append(0 == i ? "{" : ", {").append(Json.string("key")).append(": ")
                .append(Json.string(header.key())).append(", ");
            Json.bytesField(out, "value", header.value());
            out.append('}');
        }

        return out.append("]}").toString();
    }
}
