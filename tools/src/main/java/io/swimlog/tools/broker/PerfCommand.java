package io.swimlog.tools.broker;

import io.swimlog.client.Admin;
import io.swimlog.client.ClientContext;
import io.swimlog.client.ClientException;
import io.swimlog.client.Consumer;
import io.swimlog.client.Producer;
import io.swimlog.client.ProducerListener;
import io.swimlog.client.RecordHandler;
import io.swimlog.client.TopicPartition;
import io.swimlog.client.UnknownTopicException;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code swimlog perf produce|consume|e2e}: load against a broker, with latency measured from each record's
 * intended send time, so a stall delays the records behind it in the figures too (no coordinated omission).
 * Producers use the allocation-free path ({@link Producer#offer}); latencies go to HdrHistogram.
 */
@Command(name = "perf", mixinStandardHelpOptions = true,
    description = "Measure producer throughput and acknowledgement latency, consumer throughput, or end-to-end " +
        "latency.",
    subcommands = { PerfCommand.Produce.class, PerfCommand.Consume.class, PerfCommand.EndToEnd.class })
public final class PerfCommand implements Runnable
{
    /** Where {@code perf e2e} stamps each record's value: the intended send time, then the actual one. */
    static final int INTENDED_TIME_OFFSET = 0;
    static final int SEND_TIME_OFFSET = Long.BYTES;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "perf needs produce, consume or e2e");
    }

    static final class Options
    {
        @Mixin
        ClientOptions client;

        @Option(names = "--topic", required = true, paramLabel = "T", description = "Topic; created if missing.")
        String topic;

        @Option(names = "--records", required = true, paramLabel = "N", description = "Records to send or read.")
        long records;

        @Option(names = "--record-size", paramLabel = "B", defaultValue = "100",
            description = "Value bytes per record (default: ${DEFAULT-VALUE}).")
        int recordSize;

        @Option(names = "--rate", paramLabel = "R", defaultValue = "-1",
            description = "Records per second; -1 sends as fast as possible (default: ${DEFAULT-VALUE}).")
        long rate;

        @Option(names = "--acks", paramLabel = "0|1|all", defaultValue = "1",
            description = "Acknowledgement level (default: ${DEFAULT-VALUE}).")
        String acks;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "6",
            description = "Partitions of the topic if it has to be created (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--batch-size", paramLabel = "BYTES", defaultValue = "65536",
            description = "Producer batch size (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--linger-ms", paramLabel = "MS", defaultValue = "5",
            description = "Producer linger (default: ${DEFAULT-VALUE}).")
        long lingerMs;

        @Option(names = "--warmup-records", paramLabel = "N", defaultValue = "0",
            description = "Records sent first and left out of the figures (default: ${DEFAULT-VALUE}).")
        long warmupRecords;

        @Option(names = "--hgrm", paramLabel = "FILE", description = "Write the latency histogram (.hgrm, µs).")
        Path hgrm;

        @Option(names = "--html", paramLabel = "FILE", description = "Write a percentile plot as an HTML page.")
        Path html;

        @Option(names = "--json", description = "One JSON object with the settings and the figures.")
        boolean json;

        void validate(final CommandLine commandLine)
        {
            if (records < 1 || recordSize < 8 || partitions < 1 || warmupRecords < 0)
            {
                throw new CommandLine.ParameterException(commandLine,
                    "--records and --partitions must be positive and --record-size at least 8");
            }
            if (0 == rate || rate < -1)
            {
                throw new CommandLine.ParameterException(commandLine, "--rate must be positive or -1");
            }
            ProduceCommand.parseAcks(commandLine, acks);
        }

        /**
         * One media driver for the admin, producer and consumer of a run, as a Kafka client process has one
         * network stack: separate embedded drivers would add idle threads competing for the same cores.
         */
        private io.aeron.driver.MediaDriver driver;

        ClientContext clientContext(final CommandLine commandLine)
        {
            final ClientContext ctx = client.context(commandLine);
            if (null != ctx.aeronDirectoryName())
            {
                return ctx; // aeron.dir names a running driver: the host's one, as Aeron deployments share.
            }
            if (null == driver)
            {
                driver = io.swimlog.client.BrokerConnection.launchEmbeddedDriver(
                    ClientOptions.embeddedDriverDirectory());
                Runtime.getRuntime().addShutdownHook(new Thread(driver::close));
            }
            return ctx.aeronDirectoryName(driver.aeronDirectoryName());
        }

        ClientContext context(final CommandLine commandLine)
        {
            return clientContext(commandLine)
                .acks(ProduceCommand.parseAcks(commandLine, acks))
                .batchSize(batchSize)
                .lingerMs(lingerMs)
                .bufferMemory(Math.max(32L * 1024 * 1024, 8L * batchSize));
        }

        int ensureTopic(final CommandLine commandLine)
        {
            try (Admin admin = Admin.create(clientContext(commandLine)))
            {
                try
                {
                    return admin.describeTopic(topic).partitions().size();
                }
                catch (final UnknownTopicException ex)
                {
                    admin.createTopic(topic, partitions, 1);
                    return partitions;
                }
            }
        }

        StringBuilder jsonStart(final String mode, final int partitionCount)
        {
            return new StringBuilder("{").append(Json.string("mode")).append(": ").append(Json.string(mode))
                .append(", \"topic\": ").append(Json.string(topic))
                .append(", \"records\": ").append(records)
                .append(", \"record_size\": ").append(recordSize)
                .append(", \"rate\": ").append(rate)
                .append(", \"acks\": ").append(Json.string(acks))
                .append(", \"partitions\": ").append(partitionCount)
                .append(", \"batch_size\": ").append(batchSize)
                .append(", \"linger_ms\": ").append(lingerMs)
                .append(", \"transport\": ").append(Json.string(client.ipc ? "ipc" : "udp"));
        }

        void writeFiles(final Histogram histogram, final String title) throws java.io.IOException
        {
            if (null != hgrm)
            {
                LatencyReport.writeHgrm(histogram, hgrm);
            }
            if (null != html)
            {
                LatencyReport.writeHtml(histogram, title, html);
            }
        }
    }

    static Histogram newHistogram()
    {
        return new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    }

    static String rate(final double value)
    {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    /**
     * Sends {@code count} records at the options' rate; each record's intended send time goes into the partition's
     * queue so that the acknowledgement (or the consumer) can measure from it.
     */
    static long sendAll(
        final Producer producer,
        final Options options,
        final int partitionCount,
        final long count,
        final UnsafeBuffer value,
        final SendTimes sendTimes,
        final boolean stampValue)
    {
        final long intervalNs = options.rate > 0 ? TimeUnit.SECONDS.toNanos(1) / options.rate : 0;
        final org.agrona.concurrent.IdleStrategy backPressure = new org.agrona.concurrent.BackoffIdleStrategy(
            0, 1, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MICROSECONDS.toNanos(500));
        final long startNs = System.nanoTime();
        for (long i = 0; i < count; i++)
        {
            final int partition = (int)(i % partitionCount);
            long intendedNs;
            if (intervalNs > 0)
            {
                intendedNs = startNs + i * intervalNs;
                long nowNs;
                while ((nowNs = System.nanoTime()) < intendedNs)
                {
                    // Park rather than spin: on a small machine a spinning sender steals the core the I/O threads
                    // need. Waking late is counted: latency runs from the intended time.
                    LockSupport.parkNanos(intendedNs - nowNs);
                }
            }
            else
            {
                intendedNs = System.nanoTime();
            }
            if (stampValue)
            {
                // Both clocks: the intended time charges the sender's own stalls (no coordinated omission); the
                // actual send time is what Kafka's fixed-rate harness stamps, so the two can be compared alike.
                value.putLong(INTENDED_TIME_OFFSET, intendedNs, ByteOrder.LITTLE_ENDIAN);
                value.putLong(SEND_TIME_OFFSET, System.nanoTime(), ByteOrder.LITTLE_ENDIAN);
            }
            if (null != sendTimes)
            {
                sendTimes.push(partition, intendedNs);
            }
            while (Producer.BACK_PRESSURED == producer.offer(
                options.topic, partition, null, 0, 0, value, 0, value.capacity(), null))
            {
                // The buffer memory is full: give the core to the I/O threads that will free it.
                backPressure.idle();
            }
            backPressure.reset();
        }

        return startNs;
    }

    /**
     * Intended send times per partition, in send order: the caller's thread pushes, the producer's I/O thread
     * pops as batches are acknowledged (in order per partition). Single producer, single consumer per partition.
     */
    static final class SendTimes
    {
        private final long[][] rings;
        private final AtomicLong[] heads;
        private final AtomicLong[] tails;
        private final int mask;

        SendTimes(final int partitions, final int capacity)
        {
            final int size = Integer.highestOneBit(Math.max(1024, capacity - 1)) << 1;
            mask = size - 1;
            rings = new long[partitions][size];
            heads = new AtomicLong[partitions];
            tails = new AtomicLong[partitions];
            for (int i = 0; i < partitions; i++)
            {
                heads[i] = new AtomicLong();
                tails[i] = new AtomicLong();
            }
        }

        void push(final int partition, final long timeNs)
        {
            final long tail = tails[partition].get();
            while (tail - heads[partition].get() > mask)
            {
                Thread.onSpinWait();
            }
            rings[partition][(int)(tail & mask)] = timeNs;
            tails[partition].lazySet(tail + 1);
        }

        long pop(final int partition)
        {
            final long head = heads[partition].get();
            if (head >= tails[partition].get())
            {
                return -1;
            }
            final long value = rings[partition][(int)(head & mask)];
            heads[partition].lazySet(head + 1);
            return value;
        }
    }

    @Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Producer throughput and acknowledgement latency.")
    static final class Produce implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Options options;

        public Integer call() throws Exception
        {
            final CommandLine commandLine = spec.commandLine();
            options.validate(commandLine);
            final int partitionCount = options.ensureTopic(commandLine);
            final Histogram histogram = newHistogram();
            final SendTimes sendTimes = new SendTimes(partitionCount,
                (int)Math.min(1 << 22, 2 * (32L * 1024 * 1024 / options.recordSize) + options.batchSize));
            final AtomicLong errors = new AtomicLong();
            final AtomicReference<ClientException> firstError = new AtomicReference<>();
            final ProducerListener listener = new ProducerListener()
            {
                public void onAcknowledged(final String topic, final int partition, final long baseOffset,
                    final int recordCount)
                {
                    final long nowNs = System.nanoTime();
                    for (int i = 0; i < recordCount; i++)
                    {
                        final long sentNs = sendTimes.pop(partition);
                        if (sentNs > 0)
                        {
                            histogram.recordValue(Math.max(0, (nowNs - sentNs) / 1000));
                        }
                    }
                }

                public void onError(final String topic, final int partition, final int recordCount,
                    final ClientException error)
                {
                    errors.addAndGet(recordCount);
                    firstError.compareAndSet(null, error);
                    for (int i = 0; i < recordCount; i++)
                    {
                        sendTimes.pop(partition);
                    }
                }
            };

            final UnsafeBuffer value = new UnsafeBuffer(new byte[options.recordSize]);
            final byte[] random = new byte[options.recordSize];
            new Random(1).nextBytes(random);
            value.putBytes(0, random);
            final long startNs;
            final long endNs;
            try (Producer producer = Producer.create(options.context(commandLine).producerListener(listener)))
            {
                if (options.warmupRecords > 0)
                {
                    sendAll(producer, options, partitionCount, options.warmupRecords, value, sendTimes, false);
                    producer.flush();
                    histogram.reset();
                }
                startNs = sendAll(producer, options, partitionCount, options.records, value, sendTimes, false);
                producer.flush();
                endNs = System.nanoTime();
            }

            final double seconds = (endNs - startNs) / 1e9;
            final double recordsPerSecond = options.records / seconds;
            final double megabytesPerSecond = options.records * (double)options.recordSize / seconds / 1e6;
            report(commandLine.getOut(), "produce", partitionCount, seconds, recordsPerSecond, megabytesPerSecond,
                errors.get(), histogram, "ack");
            options.writeFiles(histogram, "swimlog perf produce: acknowledgement latency");
            if (errors.get() > 0)
            {
                commandLine.getErr().println("swimlog: " + errors.get() + " records failed: " +
                    firstError.get().getMessage());
                return 1;
            }
            return 0;
        }

        private void report(final PrintWriter out, final String mode, final int partitionCount, final double seconds,
            final double recordsPerSecond, final double megabytesPerSecond, final long errors,
            final Histogram histogram, final String latencyName)
        {
            if (options.json)
            {
                final StringBuilder json = options.jsonStart(mode, partitionCount)
                    .append(", \"elapsed_ms\": ").append((long)(seconds * 1000))
                    .append(", \"records_per_sec\": ").append(rate(recordsPerSecond))
                    .append(", \"mb_per_sec\": ").append(rate(megabytesPerSecond))
                    .append(", \"errors\": ").append(errors);
                LatencyReport.appendJson(json, latencyName, histogram);
                out.println(json.append('}'));
            }
            else
            {
                out.println(options.records + " records of " + options.recordSize + " bytes in " +
                    String.format(Locale.ROOT, "%.2f", seconds) + " s: " + rate(recordsPerSecond) + " records/s, " +
                    rate(megabytesPerSecond) + " MB/s, " + errors + " errors");
                LatencyReport.printText(out, latencyName, histogram);
            }
        }
    }

    @Command(name = "consume", mixinStandardHelpOptions = true,
        description = "Consumer throughput: read --records records from the start of the topic.")
    static final class Consume implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Options options;

        public Integer call()
        {
            final CommandLine commandLine = spec.commandLine();
            options.validate(commandLine);
            final int partitionCount = options.ensureTopic(commandLine);
            final long[] counts = new long[2];
            final long startNs;
            final long endNs;
            try (Consumer consumer = Consumer.create(options.clientContext(commandLine).fromBeginning(true)
                .fetchMaxBytes(1024 * 1024)))
            {
                consumer.subscribe(List.of(options.topic));
                for (final TopicPartition tp : consumer.assignment())
                {
                    consumer.position(tp);
                }
                startNs = System.nanoTime();
                long lastProgressNs = startNs;
                while (counts[0] < options.records)
                {
                    final int n = consumer.poll((topic, partition, reader) ->
                    {
                        counts[0]++;
                        counts[1] += Math.max(0, reader.valueLength()) + Math.max(0, reader.keyLength());
                    }, 4096, 100);
                    final long nowNs = System.nanoTime();
                    if (n > 0)
                    {
                        lastProgressNs = nowNs;
                    }
                    else if (nowNs - lastProgressNs > TimeUnit.SECONDS.toNanos(5))
                    {
                        commandLine.getErr().println("swimlog: only " + counts[0] + " of " + options.records +
                            " records are in topic '" + options.topic + "'.");
                        return 1;
                    }
                }
                endNs = System.nanoTime();
            }

            final double seconds = (endNs - startNs) / 1e9;
            final PrintWriter out = commandLine.getOut();
            if (options.json)
            {
                out.println(options.jsonStart("consume", partitionCount)
                    .append(", \"elapsed_ms\": ").append((long)(seconds * 1000))
                    .append(", \"records_per_sec\": ").append(rate(counts[0] / seconds))
                    .append(", \"mb_per_sec\": ").append(rate(counts[1] / seconds / 1e6)).append('}'));
            }
            else
            {
                out.println(counts[0] + " records (" + counts[1] + " bytes) in " +
                    String.format(Locale.ROOT, "%.2f", seconds) + " s: " + rate(counts[0] / seconds) +
                    " records/s, " + rate(counts[1] / seconds / 1e6) + " MB/s");
            }
            return 0;
        }
    }

    @Command(name = "e2e", mixinStandardHelpOptions = true,
        description = "End-to-end latency: from each record's intended send time (and its actual one) to its arrival at a consumer.")
    static final class EndToEnd implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Options options;

        public Integer call() throws Exception
        {
            final CommandLine commandLine = spec.commandLine();
            options.validate(commandLine);
            final int partitionCount = options.ensureTopic(commandLine);
            if (options.recordSize < SEND_TIME_OFFSET + Long.BYTES)
            {
                throw new CommandLine.ParameterException(commandLine,
                    "perf e2e needs --record-size of at least 16 bytes (two timestamps).");
            }
            final Histogram histogram = newHistogram();
            final Histogram fromSendHistogram = newHistogram();
            final AtomicLong received = new AtomicLong();
            final AtomicReference<Throwable> consumerError = new AtomicReference<>();
            final long total = options.warmupRecords + options.records;
            final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);

            final Thread consumerThread = new Thread(() ->
            {
                try (Consumer consumer = Consumer.create(options.clientContext(commandLine).fetchMaxWaitMs(100)))
                {
                    final List<TopicPartition> assignment = new ArrayList<>();
                    for (int p = 0; p < partitionCount; p++)
                    {
                        assignment.add(new TopicPartition(options.topic, p));
                    }
                    consumer.assign(assignment);
                    for (final TopicPartition tp : assignment)
                    {
                        consumer.position(tp);
                    }
                    ready.countDown();
                    // One handler for the run: a capturing lambda in the loop would be a new object per poll.
                    final RecordHandler handler = (topic, partition, reader) ->
                    {
                        if (received.incrementAndGet() > options.warmupRecords)
                        {
                            final long nowNs = System.nanoTime();
                            final DirectBuffer buffer = reader.buffer();
                            final int valueOffset = reader.valueOffset();
                            histogram.recordValue(Math.max(0, (nowNs -
                                buffer.getLong(valueOffset + INTENDED_TIME_OFFSET, ByteOrder.LITTLE_ENDIAN)) / 1000));
                            fromSendHistogram.recordValue(Math.max(0, (nowNs -
                                buffer.getLong(valueOffset + SEND_TIME_OFFSET, ByteOrder.LITTLE_ENDIAN)) / 1000));
                        }
                    };
                    long lastProgressNs = System.nanoTime();
                    while (received.get() < total)
                    {
                        final int n = consumer.poll(handler, 4096, 100);
                        if (n > 0)
                        {
                            lastProgressNs = System.nanoTime();
                        }
                        else if (System.nanoTime() - lastProgressNs > TimeUnit.SECONDS.toNanos(10))
                        {
                            throw new IllegalStateException("records stopped arriving after " + received.get());
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    consumerError.set(ex);
                    ready.countDown();
                }
            }, "swimlog-perf-consumer");
            consumerThread.start();
            ready.await();

            final UnsafeBuffer value = new UnsafeBuffer(new byte[options.recordSize]);
            final long startNs;
            try (Producer producer = Producer.create(options.context(commandLine)))
            {
                if (options.warmupRecords > 0)
                {
                    sendAll(producer, options, partitionCount, options.warmupRecords, value, null, true);
                }
                startNs = sendAll(producer, options, partitionCount, options.records, value, null, true);
                producer.flush();
            }
            consumerThread.join(TimeUnit.SECONDS.toMillis(60));
            final long endNs = System.nanoTime();
            if (null != consumerError.get())
            {
                throw new IllegalStateException("the consumer failed: " + consumerError.get().getMessage(),
                    consumerError.get());
            }

            final double seconds = (endNs - startNs) / 1e9;
            final PrintWriter out = commandLine.getOut();
            if (options.json)
            {
                final StringBuilder json = options.jsonStart("e2e", partitionCount)
                    .append(", \"elapsed_ms\": ").append((long)(seconds * 1000))
                    .append(", \"records_per_sec\": ").append(rate(options.records / seconds));
                LatencyReport.appendJson(json, "e2e", histogram);
                LatencyReport.appendJson(json, "e2e_from_send", fromSendHistogram);
                out.println(json.append('}'));
            }
            else
            {
                out.println(options.records + " records of " + options.recordSize + " bytes end to end in " +
                    String.format(Locale.ROOT, "%.2f", seconds) + " s");
                LatencyReport.printText(out, "end-to-end", histogram);
                LatencyReport.printText(out, "end-to-end from the actual send", fromSendHistogram);
            }
            options.writeFiles(histogram, "swimlog perf e2e: end-to-end latency");
            return 0;
        }
    }
}
