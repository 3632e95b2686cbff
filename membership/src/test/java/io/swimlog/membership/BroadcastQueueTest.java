package io.swimlog.membership;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BroadcastQueueTest
{
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[1300]);

    private static UnsafeBuffer message(final int tag, final int length)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(i, (byte)tag);
        }
        return buffer;
    }

    private List<Integer> takeTags(final BroadcastQueue queue, final int maxBytes, final int limit, final int length)
    {
        final int written = queue.fill(out, 0, maxBytes, limit);
        final List<Integer> tags = new ArrayList<>();
        for (int i = 0; i < written; i += length)
        {
            tags.add((int)out.getByte(i));
        }
        return tags;
    }

    @Test
    void retransmitLimitIsMultTimesCeilLog10OfNPlusOne()
    {
        assertThat(BroadcastQueue.retransmitLimit(4, 1)).isEqualTo(4);
        assertThat(BroadcastQueue.retransmitLimit(4, 9)).isEqualTo(4);
        assertThat(BroadcastQueue.retransmitLimit(4, 10)).isEqualTo(8);
        assertThat(BroadcastQueue.retransmitLimit(4, 99)).isEqualTo(8);
        assertThat(BroadcastQueue.retransmitLimit(4, 100)).isEqualTo(12);
        assertThat(BroadcastQueue.retransmitLimit(4, 1000)).isEqualTo(16);
    }

    @Test
    void sendsNewestFirstAmongEquallySentAndLeastSentFirst()
    {
        final BroadcastQueue queue = new BroadcastQueue();
        queue.add(MemberTable.NONE, message(1, 10), 0, 10);
        queue.add(MemberTable.NONE, message(2, 10), 0, 10);
        assertThat(takeTags(queue, 10, 3, 10)).containsExactly(2);
        // 2 has been sent once, 1 never: 1 goes first now.
        assertThat(takeTags(queue, 10, 3, 10)).containsExactly(1);
        queue.add(MemberTable.NONE, message(3, 10), 0, 10);
        assertThat(takeTags(queue, 30, 3, 10)).containsExactly(3, 2, 1);
    }

    @Test
    void dropsAMessageOnceSentLimitTimes()
    {
        final BroadcastQueue queue = new BroadcastQueue();
        final int entry = queue.add(MemberTable.NONE, message(7, 20), 0, 20);
        final int generation = queue.generation(entry);
        for (int i = 0; i < 4; i++)
        {
            assertThat(takeTags(queue, 100, 4, 20)).containsExactly(7);
        }
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.generation(entry)).as("holders can tell it left").isNotEqualTo(generation);
        assertThat(queue.fill(out, 0, 100, 4)).isZero();
    }

    @Test
    void aNewerMessageAboutAMemberReplacesTheQueuedOne()
    {
        final BroadcastQueue queue = new BroadcastQueue();
        final int member = 5;
        queue.add(member, message(1, 10), 0, 10);
        final int newer = queue.add(member, message(2, 10), 0, 10);
        assertThat(queue.size()).isEqualTo(1);
        assertThat(queue.queuedFor(member)).isEqualTo(newer);
        assertThat(takeTags(queue, 100, 5, 10)).containsExactly(2);
        // Sent its limit of 5 times: gone from the queue, and from the member.
        for (int i = 0; i < 4; i++)
        {
            takeTags(queue, 100, 5, 10);
        }
        assertThat(queue.queuedFor(member)).isEqualTo(BroadcastQueue.NONE);
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void onlyWhatFitsIsTakenAndTheRestWaits()
    {
        final BroadcastQueue queue = new BroadcastQueue();
        queue.add(MemberTable.NONE, message(1, 40), 0, 40);
        queue.add(MemberTable.NONE, message(2, 40), 0, 40);
        queue.add(MemberTable.NONE, message(3, 40), 0, 40);
        assertThat(queue.fill(out, 0, 100, 5)).isEqualTo(80);
        assertThat(queue.fill(out, 0, 39, 5)).isZero();
        assertThat(queue.size()).isEqualTo(3);
    }

    @Property
    void everyMessageIsSentExactlyLimitTimesAndNeverTwiceInOneDatagram(
        @ForAll @IntRange(min = 1, max = 60) final int messages,
        @ForAll @IntRange(min = 1, max = 12) final int limit,
        @ForAll @IntRange(min = 8, max = 100) final int length,
        @ForAll @IntRange(min = 100, max = 1300) final int datagram)
    {
        final BroadcastQueue queue = new BroadcastQueue();
        for (int i = 0; i < messages; i++)
        {
            queue.add(MemberTable.NONE, message(i, length), 0, length);
        }
        final Map<Integer, Integer> sent = new HashMap<>();
        int rounds = 0;
        while (!queue.isEmpty())
        {
            final List<Integer> tags = takeTags(queue, datagram, limit, length);
            assertThat(tags).doesNotHaveDuplicates().isNotEmpty();
            tags.forEach(tag -> sent.merge(tag, 1, Integer::sum));
            assertThat(++rounds).isLessThanOrEqualTo(messages * limit);
        }
        assertThat(sent).hasSize(messages);
        assertThat(sent.values()).allMatch(count -> count == limit);
    }

    @Test
    void aFullQueueDropsTheOldestOfTheMostSentMessages()
    {
        final BroadcastQueue queue = new BroadcastQueue(3);
        queue.add(MemberTable.NONE, message(1, 10), 0, 10);
        queue.add(MemberTable.NONE, message(2, 10), 0, 10);
        assertThat(takeTags(queue, 20, 10, 10)).containsExactly(2, 1); // both sent once
        assertThat(takeTags(queue, 10, 10, 10)).containsExactly(2); // 2 sent twice
        queue.add(MemberTable.NONE, message(3, 10), 0, 10);
        assertThat(queue.evictions()).isZero();

        queue.add(MemberTable.NONE, message(4, 10), 0, 10); // full: 2 is the most sent
        assertThat(queue.size()).isEqualTo(3);
        assertThat(queue.evictions()).isEqualTo(1);
        assertThat(takeTags(queue, 100, 10, 10)).containsExactly(4, 3, 1);

        queue.add(MemberTable.NONE, message(5, 10), 0, 10); // 4, 3 and 1 sent once and twice: 1 is the most sent
        assertThat(takeTags(queue, 100, 10, 10)).containsExactly(5, 4, 3);
        assertThat(queue.evictions()).isEqualTo(2);
    }

    @Test
    void aDroppedUpdateNoLongerBelongsToItsMember()
    {
        final BroadcastQueue queue = new BroadcastQueue(1);
        final int member = 3;
        final int entry = queue.add(member, message(1, 10), 0, 10);
        final int generation = queue.generation(entry);
        queue.add(MemberTable.NONE, message(2, 10), 0, 10);
        assertThat(queue.generation(entry)).as("holders can tell it left").isNotEqualTo(generation);
        assertThat(queue.queuedFor(member)).isEqualTo(BroadcastQueue.NONE);
        assertThat(takeTags(queue, 100, 5, 10)).containsExactly(2);
    }

    @Test
    void aNewerUpdateReplacesTheQueuedOneWithoutDroppingAnother()
    {
        final BroadcastQueue queue = new BroadcastQueue(2);
        final int member = 0;
        queue.add(MemberTable.NONE, message(1, 10), 0, 10);
        queue.add(member, message(2, 10), 0, 10);
        queue.add(member, message(3, 10), 0, 10);
        assertThat(queue.evictions()).isZero();
        assertThat(takeTags(queue, 100, 5, 10)).containsExactly(3, 1);
    }

    /**
     * The queue against a plain model: messages ordered by transmits (fewest first), then newest first; each fill
     * takes the first ones that fit and counts a transmission; a message sent {@code limit} times leaves; a full
     * queue drops the message with the most transmissions, the oldest among those.
     */
    @Property(tries = 300)
    void behavesAsTheModelOfABoundedLeastSentNewestFirstQueue(
        @ForAll @Size(max = 200) final List<@IntRange(min = -6, max = 40) Integer> operations,
        @ForAll @IntRange(min = 1, max = 12) final int capacity,
        @ForAll @IntRange(min = 1, max = 8) final int limit)
    {
        final int length = 10;
        final BroadcastQueue queue = new BroadcastQueue(capacity);
        final List<int[]> model = new ArrayList<>(); // {tag, transmits, order}
        final Comparator<int[]> sendOrder =
            Comparator.<int[]>comparingInt(m -> m[1]).thenComparing(m -> -m[2]);
        int order = 0;
        long drops = 0;
        for (final int operation : operations)
        {
            if (operation >= 0)
            {
                if (model.size() == capacity)
                {
                    final int[] victim = model.stream()
                        .max(Comparator.<int[]>comparingInt(m -> m[1]).thenComparing(m -> -m[2])).orElseThrow();
                    model.remove(victim);
                    drops++;
                }
                model.add(new int[]{ operation, 0, ++order });
                queue.add(MemberTable.NONE, message(operation, length), 0, length);
            }
            else
            {
                final int take = -operation;
                model.sort(sendOrder);
                final List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < Math.min(take, model.size()); i++)
                {
                    expected.add(model.get(i)[0]);
                    model.get(i)[1]++;
                }
                model.removeIf(m -> m[1] >= limit);
                assertThat(takeTags(queue, take * length, limit, length)).isEqualTo(expected);
            }
            assertThat(queue.size()).isEqualTo(model.size()).isLessThanOrEqualTo(capacity);
            assertThat(queue.evictions()).isEqualTo(drops);
        }
    }

    /**
     * The column-and-slab layout against a plain model, with messages of many lengths and owners, through slab
     * growth and compaction: what each fill writes is exactly the bytes of the messages the model says, an owner's
     * newer message replaces its queued one, the slab holds exactly the queued bytes and never grows past twice
     * what was ever queued at once (plus one message).
     */
    @Property(tries = 300)
    void keepsEveryQueuedMessagesBytesThroughCompactionAndReplacement(
        @ForAll @Size(max = 300) final List<@IntRange(min = -8, max = 200) Integer> operations,
        @ForAll @IntRange(min = 1, max = 40) final int capacity,
        @ForAll @IntRange(min = 1, max = 8) final int limit)
    {
        final BroadcastQueue queue = new BroadcastQueue(capacity);
        final List<long[]> model = new ArrayList<>(); // {tag, length, owner, transmits, order}
        final UnsafeBuffer big = new UnsafeBuffer(new byte[64 * 1024]);
        long order = 0;
        int peakLive = 0;
        for (final int operation : operations)
        {
            if (operation >= 0)
            {
                final int tag = operation;
                final int length = 1 + (tag * 37) % 120;
                final int owner = tag % 7 < 5 ? tag % 7 : MemberTable.NONE;
                if (owner != MemberTable.NONE)
                {
                    model.removeIf(m -> m[2] == owner);
                }
                if (model.size() == capacity)
                {
                    model.remove(model.stream().max(Comparator.<long[]>comparingLong(m -> m[3])
                        .thenComparing(m -> -m[4])).orElseThrow());
                }
                model.add(new long[]{ tag, length, owner, 0, ++order });
                queue.add(owner, message(tag, length), 0, length);
            }
            else
            {
                model.sort(Comparator.<long[]>comparingLong(m -> m[3]).thenComparing(m -> -m[4]));
                final int take = Math.min(-operation, model.size());
                int bytes = 0;
                final List<Byte> expected = new ArrayList<>();
                for (int i = 0; i < take; i++)
                {
                    final long[] m = model.get(i);
                    for (int b = 0; b < m[1]; b++)
                    {
                        expected.add((byte)m[0]);
                    }
                    bytes += (int)m[1];
                    m[3]++;
                }
                model.removeIf(m -> m[3] >= limit);
                final int written = queue.fill(big, 0, bytes, limit);
                final List<Byte> actual = new ArrayList<>();
                for (int i = 0; i < written; i++)
                {
                    actual.add(big.getByte(i));
                }
                assertThat(actual).isEqualTo(expected);
            }
            final int live = model.stream().mapToInt(m -> (int)m[1]).sum();
            peakLive = Math.max(peakLive, live);
            assertThat(queue.size()).isEqualTo(model.size());
            assertThat(queue.slabLive()).isEqualTo(live);
            assertThat(queue.slabLength()).isLessThanOrEqualTo(Math.max(1024, 2 * (peakLive + 120)));
            for (int owner = 0; owner < 5; owner++)
            {
                final int o = owner;
                assertThat(queue.queuedFor(owner) != BroadcastQueue.NONE)
                    .isEqualTo(model.stream().anyMatch(m -> m[2] == o));
            }
        }
    }

    @Test
    void addingSendingAndDroppingAllocateNothingOnceTheQueueHasGrown()
    {
        final java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
            "needs com.sun.management.ThreadMXBean to count allocated bytes");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        final BroadcastQueue queue = new BroadcastQueue(64);
        final UnsafeBuffer[] messages = new UnsafeBuffer[16];
        for (int i = 0; i < messages.length; i++)
        {
            messages[i] = message(i, 20 + 5 * i);
        }
        final Runnable churn = () ->
        {
            for (int i = 0; i < 20_000; i++)
            {
                final UnsafeBuffer message = messages[i & 15];
                queue.add(i % 3 == 0 ? MemberTable.NONE : i % 50, message, 0, message.capacity());
                if ((i & 3) == 0)
                {
                    queue.fill(out, 0, 1200, 6);
                }
            }
        };
        churn.run(); // grows the columns, the slab and the owner index to what this load needs
        final long before = threads.getCurrentThreadAllocatedBytes();
        churn.run();
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).isLessThan(1024);
        assertThat(queue.evictions()).as("the queue was full and dropped messages").isPositive();
    }

    @Property
    void heapSortSortsInPlace(@ForAll @Size(max = 200) final List<Long> values)
    {
        final long[] array = new long[values.size() + 3];
        for (int i = 0; i < values.size(); i++)
        {
            array[i] = values.get(i);
        }
        array[values.size()] = Long.MIN_VALUE; // beyond count: untouched
        BroadcastQueue.heapSort(array, values.size());
        assertThat(java.util.Arrays.copyOf(array, values.size()))
            .containsExactly(values.stream().sorted().mapToLong(Long::longValue).toArray());
        assertThat(array[values.size()]).isEqualTo(Long.MIN_VALUE);
    }
}
