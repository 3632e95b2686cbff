package io.swimlog.client;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class PartitionerTest
{
    @ParameterizedTest(name = "murmur2({0}) = {1}")
    @CsvSource({
        "21, -973932308",
        "foobar, -790332482",
        "a-little-bit-long-string, -985981536",
        "a-little-bit-longer-string, -1486304829",
        "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8, -58897971",
        "abc, 479470107",
    })
    void keysHashAsKafkasMurmur2SoTheyLandOnTheSamePartitionsAsWithKafka(final String key, final int hash)
    {
        final byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[bytes.length + 3]);
        buffer.putBytes(3, bytes);

        assertThat(Partitioner.murmur2(buffer, 3, bytes.length)).isEqualTo(hash);
        assertThat(Partitioner.partition(buffer, 3, bytes.length, 6)).isEqualTo((hash & 0x7FFF_FFFF) % 6);
    }
}
