package io.swimlog.membership;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

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
        final BroadcastQueue queue = new BroadcastQueue(new MemberTable());
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
        final BroadcastQueue queue = new BroadcastQueue(new MemberTable());
        final BroadcastQueue.Entry entry = queue.add(MemberTable.NONE, message(7, 20), 0, 20);
        final int generation = entry.generation;
        for (int i = 0; i < 4; i++)
        {
            assertThat(takeTags(queue, 100, 4, 20)).containsExactly(7);
        }
        assertThat(queue.isEmpty()).isTrue();
        assertThat(entry.generation).as("holders can tell it left").isNotEqualTo(generation);
        assertThat(queue.fill(out, 0, 100, 4)).isZero();
    }

    @Test
    void aNewerMessageAboutAMemberReplacesTheQueuedOne()
    {
        final MemberTable table = new MemberTable();
        final BroadcastQueue queue = new BroadcastQueue(table);
        final int member = table.add(new MemberIdentities.Identity("m", "127.0.0.1:1"), new SplittableRandom(1));
        queue.add(member, message(1, 10), 0, 10);
        final BroadcastQueue.Entry newer = queue.add(member, message(2, 10), 0, 10);
        assertThat(queue.size()).isEqualTo(1);
        assertThat(table.queuedUpdate(member)).isSameAs(newer);
        assertThat(takeTags(queue, 100, 5, 10)).containsExactly(2);
        // Sent its limit of 5 times: gone from the queue, and the member's sparse state with it.
        for (int i = 0; i < 4; i++)
        {
            takeTags(queue, 100, 5, 10);
        }
        assertThat(table.queuedUpdate(member)).isNull();
        assertThat(table.extrasCount()).isZero();
    }

    @Test
    void onlyWhatFitsIsTakenAndTheRestWaits()
    {
        final BroadcastQueue queue = new BroadcastQueue(new MemberTable());
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
        final BroadcastQueue queue = new BroadcastQueue(new MemberTable());
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
}
