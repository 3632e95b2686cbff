package io.swimlog.membership;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class MemberRecordTest
{
    @Property
    void broadcastDeduplicationAcceptsEachSequenceOnceWithinItsWindow(
        @ForAll @Size(max = 200) final List<@LongRange(min = 0, max = 300) Long> sequences)
    {
        final MemberRecord record = new MemberRecord("m", "127.0.0.1:1");
        final Set<Long> seen = new HashSet<>();
        long max = -1;
        for (final long sequence : sequences)
        {
            final boolean fresh = record.markBroadcastSeen(sequence);
            if (seen.contains(sequence))
            {
                assertThat(fresh).as("duplicate %d", sequence).isFalse();
            }
            else if (sequence > max - 64)
            {
                assertThat(fresh).as("new %d within window of %d", sequence, max).isTrue();
            }
            if (fresh)
            {
                seen.add(sequence);
                max = Math.max(max, sequence);
            }
        }
    }

    @Test
    void tableFindsMembersByTheBytesOfTheirIdsAndForgetsRemovedOnes()
    {
        final MemberTable table = new MemberTable();
        final SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 500; i++)
        {
            table.add(new MemberRecord("member-" + i, "10.0.0.1:" + (1000 + i)), random);
        }
        for (int i = 0; i < 500; i++)
        {
            final byte[] id = ("member-" + i).getBytes(StandardCharsets.UTF_8);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[id.length + 3]);
            buffer.putBytes(3, id);
            final MemberRecord found = table.find(buffer, 3, id.length);
            assertThat(found).isNotNull();
            assertThat(found.id).isEqualTo("member-" + i);
            assertThat(table.find("member-" + i)).isSameAs(found);
        }
        assertThat(table.find("member-500")).isNull();
        table.remove(table.find("member-7"));
        assertThat(table.find("member-7")).isNull();
        assertThat(table.find("member-8")).isNotNull();
        assertThat(table.size()).isEqualTo(499);
    }

    @Test
    void tableCountsLiveMembers()
    {
        final MemberTable table = new MemberTable();
        final MemberRecord a = new MemberRecord("a", "127.0.0.1:1");
        table.add(a, new SplittableRandom(1));
        assertThat(table.liveCount()).isZero();
        table.state(a, MemberState.ALIVE, 1);
        table.state(a, MemberState.SUSPECT, 2);
        assertThat(table.liveCount()).isEqualTo(1);
        table.state(a, MemberState.DEAD, 3);
        assertThat(table.liveCount()).isZero();
        assertThat(a.stateChangeNs).isEqualTo(3);
    }
}
