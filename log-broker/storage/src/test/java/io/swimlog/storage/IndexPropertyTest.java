package io.swimlog.storage;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Index look-ups against a sorted-array model, over index sizes on both sides of the warm section, and across
 * trimming and reopening.
 */
class IndexPropertyTest
{
    @Property(tries = 60)
    void offsetIndexFindsTheLargestEntryAtOrBelowTheTarget(
        @ForAll @IntRange(min = 0, max = 3000) final int entries,
        @ForAll final long seed,
        @ForAll @LongRange(min = 0, max = 1L << 40) final long baseOffset) throws IOException
    {
        final File file = Files.createTempFile("swimlog-index", ".index").toFile();
        Files.delete(file.toPath());
        final Random random = new Random(seed);
        final long[] offsets = new long[entries];
        final int[] positions = new int[entries];
        try
        {
            OffsetIndex index = new OffsetIndex(file, baseOffset, 3000 * OffsetIndex.ENTRY_SIZE, true);
            long offset = baseOffset;
            int position = 0;
            for (int i = 0; i < entries; i++)
            {
                offset += 1 + random.nextInt(50);
                position += 1 + random.nextInt(5000);
                offsets[i] = offset;
                positions[i] = position;
                index.append(offset, position);
            }
            index.trimToEntries();
            index.close();
            index = new OffsetIndex(file, baseOffset, 3000 * OffsetIndex.ENTRY_SIZE, false);
            assertThat(index.loadEntries(Integer.MAX_VALUE)).isTrue();
            assertThat(index.entries()).isEqualTo(entries);

            for (int probe = 0; probe < 200; probe++)
            {
                final long target = baseOffset + (long)(random.nextDouble() * (offset - baseOffset + 60));
                int expected = 0;
                for (int i = 0; i < entries && offsets[i] <= target; i++)
                {
                    expected = positions[i];
                }
                assertThat(index.lookup(target)).as("target %d", target).isEqualTo(expected);

                final int p = random.nextInt(position + 10);
                int expectedSlot = -1;
                for (int i = 0; i < entries && positions[i] <= p; i++)
                {
                    expectedSlot = i;
                }
                assertThat(index.floorSlotByPosition(p)).isEqualTo(expectedSlot);
            }
            index.close();
        }
        finally
        {
            Files.deleteIfExists(file.toPath());
        }
    }

    @Property(tries = 60)
    void timeIndexFindsTheLastEntryBeforeATimestamp(
        @ForAll @IntRange(min = 0, max = 2000) final int entries,
        @ForAll final long seed) throws IOException
    {
        final File file = Files.createTempFile("swimlog-index", ".timeindex").toFile();
        Files.delete(file.toPath());
        final Random random = new Random(seed);
        final long[] timestamps = new long[entries];
        final long[] offsets = new long[entries];
        try
        {
            final TimeIndex index = new TimeIndex(file, 100, 2000 * TimeIndex.ENTRY_SIZE, true);
            long timestamp = 1_000_000;
            long offset = 100;
            for (int i = 0; i < entries; i++)
            {
                timestamp += 1 + random.nextInt(1000);
                offset += 1 + random.nextInt(20);
                timestamps[i] = timestamp;
                offsets[i] = offset;
                index.maybeAppend(timestamp, offset);
                index.maybeAppend(timestamp - 1, offset + 1);
            }
            assertThat(index.entries()).as("non-increasing timestamps are not indexed").isEqualTo(entries);

            for (int probe = 0; probe < 200; probe++)
            {
                final long target = 1_000_000 + (long)(random.nextDouble() * (timestamp - 1_000_000 + 2000));
                long expected = -1;
                for (int i = 0; i < entries && timestamps[i] < target; i++)
                {
                    expected = offsets[i];
                }
                assertThat(index.offsetBefore(target)).isEqualTo(expected);
            }
            index.close();
        }
        finally
        {
            Files.deleteIfExists(file.toPath());
        }
    }
}
