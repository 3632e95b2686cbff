package io.swimlog.storage;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model-based: any sequence of appends, rolls, truncations, retention passes and reopenings leaves a log
 * equal to a list of batches, and a read at any offset returns the batch that holds it.
 */
class PartitionLogPropertyTest
{
    sealed interface Action permits Append, AppendMany, Roll, Truncate, Reopen
    {
    }

    record AppendMany(int batches, long seed) implements Action
    {
    }

    record Append(int records, int valueSize, long seed) implements Action
    {
    }

    record Roll() implements Action
    {
    }

    record Truncate(double fraction) implements Action
    {
    }

    record Reopen() implements Action
    {
    }

    @Provide
    Arbitrary<Action> actions()
    {
        final Arbitrary<Action> append = Combinators.combine(
            Arbitraries.integers().between(1, 12),
            Arbitraries.integers().between(0, 300),
            Arbitraries.longs()).as(Append::new);
        final Arbitrary<Action> appendMany = Combinators.combine(
            Arbitraries.integers().between(1, 6), Arbitraries.longs()).as(AppendMany::new);
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(10, append),
            net.jqwik.api.Tuple.of(3, appendMany),
            net.jqwik.api.Tuple.of(1, Arbitraries.just(new Roll())),
            net.jqwik.api.Tuple.of(2, Arbitraries.doubles().between(0, 1).map(Truncate::new)),
            net.jqwik.api.Tuple.of(2, Arbitraries.just(new Reopen())));
    }

    private record ModelBatch(long baseOffset, int records, byte[] bytes)
    {
    }

    @Property(tries = 40)
    void logEqualsTheModelAfterAnySequenceOfOperations(
        @ForAll @Size(max = 60) final List<@From("actions") Action> actions) throws IOException
    {
        final Path dir = Files.createTempDirectory("swimlog-prop");
        final LogContext ctx = new LogContext()
            .directory(dir.toFile())
            .segmentBytes(6 * 1024)
            .indexIntervalBytes(700)
            .maxIndexBytes(64);
        final List<ModelBatch> model = new ArrayList<>();
        PartitionLog log = PartitionLog.open(ctx.clone());
        try
        {
            for (final Action action : actions)
            {
                if (action instanceof Append a)
                {
                    final UnsafeBuffer batch = TestBatches.batch(a.records(), a.valueSize(), 1_000 + model.size(), a.seed());
                    final long base = log.append(batch, 0, batch.capacity(), 0);
                    assertThat(base).isEqualTo(endOf(model));
                    model.add(new ModelBatch(base, a.records(), batch.byteArray().clone()));
                }
                else if (action instanceof AppendMany m)
                {
                    final List<UnsafeBuffer> batches = new ArrayList<>();
                    for (int i = 0; i < m.batches(); i++)
                    {
                        batches.add(TestBatches.batch(1 + i, 40 * i, 1_000 + model.size() + i, m.seed() + i));
                    }
                    final UnsafeBuffer region = TestBatches.concat(batches);
                    assertThat(log.appendBatches(region, 0, region.capacity(), 0)).isEqualTo(endOf(model));
                    int position = 0;
                    for (final UnsafeBuffer b : batches)
                    {
                        final byte[] stamped = new byte[b.capacity()];
                        region.getBytes(position, stamped);
                        model.add(new ModelBatch(endOf(model), TestBatches.recordCount(b), stamped));
                        position += b.capacity();
                    }
                }
                else if (action instanceof Roll)
                {
                    log.roll();
                }
                else if (action instanceof Truncate t)
                {
                    final long target = (long)(t.fraction() * endOf(model));
                    final long end = log.truncateTo(target);
                    while (!model.isEmpty() && model.get(model.size() - 1).baseOffset() + model.get(model.size() - 1).records() > target)
                    {
                        model.remove(model.size() - 1);
                    }
                    if (model.isEmpty() && target > 0)
                    {
                        assertThat(end).isEqualTo(0);
                    }
                    assertThat(end).isEqualTo(endOf(model));
                }
                else
                {
                    log.close();
                    log = PartitionLog.open(ctx.clone());
                    assertThat(log.recoveryReport().lostData()).as(log.recoveryReport().toString()).isFalse();
                }
                assertThat(log.logEndOffset()).isEqualTo(endOf(model));
            }

            checkAgainstModel(log, model);
            log.close();
            log = PartitionLog.open(ctx.clone());
            checkAgainstModel(log, model);
        }
        finally
        {
            log.close();
            deleteRecursively(dir);
        }
    }

    private static long endOf(final List<ModelBatch> model)
    {
        return model.isEmpty() ? 0 : model.get(model.size() - 1).baseOffset() + model.get(model.size() - 1).records();
    }

    private static void checkAgainstModel(final PartitionLog log, final List<ModelBatch> model) throws IOException
    {
        assertThat(TestBatches.readAll(log)).hasSize(model.size());
        final List<byte[]> read = TestBatches.readAll(log);
        for (int i = 0; i < model.size(); i++)
        {
            assertThat(read.get(i)).isEqualTo(model.get(i).bytes());
        }

        final LogReadResult result = new LogReadResult();
        final List<long[]> records = new ArrayList<>();
        final io.swimlog.protocol.record.RecordBatchReader reader = new io.swimlog.protocol.record.RecordBatchReader();
        for (final ModelBatch batch : model)
        {
            reader.wrap(new UnsafeBuffer(batch.bytes()), 0);
            long offset = batch.baseOffset();
            while (reader.nextRecord())
            {
                records.add(new long[]{ offset++, reader.timestamp() });
            }
        }
        for (long timestamp = 990; timestamp < 1_000 + model.size() + 20; timestamp += 3)
        {
            long expected = -1;
            for (final long[] record : records)
            {
                if (record[1] >= timestamp)
                {
                    expected = record[0];
                    break;
                }
            }
            assertThat(log.offsetForTimestamp(timestamp, result)).as("first offset at or after time %d", timestamp)
                .isEqualTo(expected);
        }

        for (final ModelBatch batch : model)
        {
            for (long offset = batch.baseOffset(); offset < batch.baseOffset() + batch.records(); offset++)
            {
                assertThat(log.read(offset, 1, result)).isTrue();
                assertThat(result.firstOffset()).isEqualTo(batch.baseOffset());
                assertThat(result.length()).isEqualTo(batch.bytes().length);
            }
        }
    }

    private static void deleteRecursively(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }
}
