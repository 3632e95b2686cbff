package io.swimlog.benchmarks.broker;

import io.swimlog.client.Consumer;
import io.swimlog.client.Producer;
import io.swimlog.client.RecordHandler;
import io.swimlog.client.TopicPartition;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reading a partition through fetches from an embedded broker, allocation-free consumer path: each invocation
 * reads {@link #RECORDS_PER_OP} records of 100 bytes (about one 1 MiB fetch of whole batches), seeking back to
 * the start when the log is exhausted; an operation is one record. With {@code -prof gc}, {@code gc.alloc.rate.norm} is the whole
 * process's allocation per record read (broker fetch path included): 0 B/op in steady state is the target.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED", "-Djava.net.preferIPv4Stack=true", "-Xmx1g" })
public class FetchBenchmark
{
    private static final String TOPIC = "jmh-fetch";
    private static final int LOG_RECORDS = 200_000;
    private static final int RECORDS_PER_OP = 10_000;

    private EmbeddedBrokerState broker;
    private Consumer consumer;
    private TopicPartition partition;
    private long bytes;
    private final RecordHandler handler = (topic, p, reader) -> bytes += reader.valueLength();

    @Setup
    public void setUp()
    {
        broker = new EmbeddedBrokerState(TOPIC, 1);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[100]);
        try (Producer producer = Producer.create(broker.client().acks(1)))
        {
            for (int i = 0; i < LOG_RECORDS; i++)
            {
                while (Producer.BACK_PRESSURED == producer.offer(TOPIC, 0, null, 0, 0, value, 0, 100, null))
                {
                    Thread.onSpinWait();
                }
            }
            producer.flush();
        }
        consumer = Consumer.create(broker.client().fromBeginning(true));
        partition = new TopicPartition(TOPIC, 0);
        consumer.assign(List.of(partition));
        consumer.seek(partition, 0);
    }

    @TearDown
    public void tearDown()
    {
        consumer.close();
        broker.close();
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS_PER_OP)
    public long fetch()
    {
        int read = 0;
        while (read < RECORDS_PER_OP)
        {
            if (consumer.position(partition) >= LOG_RECORDS)
            {
                consumer.seek(partition, 0);
            }
            read += consumer.poll(handler, RECORDS_PER_OP - read, 100);
        }
        return bytes;
    }
}
