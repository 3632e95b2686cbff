package io.swimlog.benchmarks.broker;

import io.swimlog.client.ClientException;
import io.swimlog.client.Producer;
import io.swimlog.client.ProducerListener;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One record through the allocation-free producer path ({@link Producer#offer}) to an embedded broker over
 * Aeron loopback, acks=1. With {@code -prof gc}, {@code gc.alloc.rate.norm} is what the whole process (caller,
 * producer I/O thread, broker conductor, media driver) allocates per produced record: 0 B/op in steady state
 * is the target. A record that meets back-pressure is retried inside the same operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED", "-Djava.net.preferIPv4Stack=true", "-Xmx1g" })
public class ProduceBenchmark
{
    private static final String TOPIC = "jmh-produce";

    @Param({ "100" })
    int recordSize;

    private EmbeddedBrokerState broker;
    private Producer producer;
    private UnsafeBuffer value;

    @Setup
    public void setUp()
    {
        broker = new EmbeddedBrokerState(TOPIC, 1);
        producer = Producer.create(broker.client().acks(1).producerListener(new ProducerListener()
        {
            public void onAcknowledged(final String topic, final int partition, final long baseOffset,
                final int recordCount)
            {
            }

            public void onError(final String topic, final int partition, final int recordCount,
                final ClientException error)
            {
                throw error;
            }
        }));
        value = new UnsafeBuffer(new byte[recordSize]);
    }

    @TearDown
    public void tearDown()
    {
        producer.close();
        broker.close();
    }

    @Benchmark
    public long offer()
    {
        long result;
        while (Producer.BACK_PRESSURED == (result = producer.offer(TOPIC, 0, null, 0, 0, value, 0, recordSize, null)))
        {
            Thread.onSpinWait();
        }
        return result;
    }
}
