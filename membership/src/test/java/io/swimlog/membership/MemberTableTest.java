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

/**
 * The member table's columns, index, slot reuse and sparse per-member state.
 */
class MemberTableTest
{
    private static MemberIdentities.Identity identity(final String id, final int port)
    {
        return new MemberIdentities.Identity(id, "10.0.0.1:" + port);
    }

    @Property
    void broadcastDeduplicationAcceptsEachSequenceOnceWithinItsWindow(
        @ForAll @Size(max = 200) final List<@LongRange(min = 0, max = 300) Long> sequences)
    {
        final MemberTable table = new MemberTable();
        final int member = table.add(identity("m", 1), new SplittableRandom(1));
        final Set<Long> seen = new HashSet<>();
        long max = -1;
        for (final long sequence : sequences)
        {
            final boolean fresh = table.markBroadcastSeen(member, sequence);
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
    void findsMembersByTheBytesOfTheirIdsAndForgetsRemovedOnes()
    {
        final MemberTable table = new MemberTable();
        final SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 500; i++)
        {
            table.add(identity("member-" + i, 1000 + i), random);
        }
        for (int i = 0; i < 500; i++)
        {
            final byte[] id = ("member-" + i).getBytes(StandardCharsets.UTF_8);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[id.length + 3]);
            buffer.putBytes(3, id);
            final int found = table.find(buffer, 3, id.length);
            assertThat(found).isNotEqualTo(MemberTable.NONE);
            assertThat(table.id(found)).isEqualTo("member-" + i);
            assertThat(table.endpoint(found)).isEqualTo("10.0.0.1:" + (1000 + i));
            assertThat(table.find("member-" + i)).isEqualTo(found);
        }
        assertThat(table.find("member-500")).isEqualTo(MemberTable.NONE);
        final int accented = table.add(identity("m\u00e9mbre-\u00fc", 99), random);
        assertThat(table.find("m\u00e9mbre-\u00fc")).isEqualTo(accented);
        assertThat(table.find("m\u00e9mbre-\u00fc".getBytes(StandardCharsets.UTF_8))).isEqualTo(accented);
        table.remove(accented);
        table.remove(table.find("member-7"));
        assertThat(table.find("member-7")).isEqualTo(MemberTable.NONE);
        assertThat(table.find("member-8")).isNotEqualTo(MemberTable.NONE);
        assertThat(table.size()).isEqualTo(499);
    }

    @Test
    void aRemovedMembersSlotGoesToTheNextMemberWithFreshState()
    {
        final MemberTable table = new MemberTable();
        final SplittableRandom random = new SplittableRandom(2);
        final int a = table.add(identity("a", 1), random);
        table.add(identity("b", 2), random);
        table.incarnation(a, 9);
        table.metadata(a, new byte[] { 1, 2 });
        table.state(a, MemberState.DEAD, 5);
        table.markBroadcastSeen(a, 3);
        table.remove(a);

        final int c = table.add(identity("c", 3), random);
        assertThat(c).isEqualTo(a);
        assertThat(table.id(c)).isEqualTo("c");
        assertThat(table.incarnation(c)).isZero();
        assertThat(table.metadata(c)).isEmpty();
        assertThat(table.state(c)).isEqualTo(MemberState.DEAD);
        assertThat(table.markBroadcastSeen(c, 3)).as("c's broadcasts are not a's").isTrue();
        assertThat(table.find("a")).isEqualTo(MemberTable.NONE);
        assertThat(table.find("c")).isEqualTo(c);
        int inOrder = 0;
        for (int i = 0; i < table.size(); i++)
        {
            inOrder += table.slotAt(i) == c ? 1 : 0;
        }
        assertThat(inOrder).isEqualTo(1);
    }

    @Test
    void countsLiveMembersAndRemembersTheTimeOfDeath()
    {
        final MemberTable table = new MemberTable();
        final int a = table.add(identity("a", 1), new SplittableRandom(1));
        assertThat(table.liveCount()).isZero();
        table.state(a, MemberState.ALIVE, 1);
        table.state(a, MemberState.SUSPECT, 2);
        assertThat(table.liveCount()).isEqualTo(1);
        table.state(a, MemberState.DEAD, 3);
        assertThat(table.liveCount()).isZero();
        assertThat(table.deadSinceNs(a)).isEqualTo(3);
    }

    @Test
    void keepsRarelyUsedStateOnlyWhileItIsSet()
    {
        final MemberTable table = new MemberTable();
        final SplittableRandom random = new SplittableRandom(3);
        table.ensureCapacity(1000);
        for (int i = 0; i < 1000; i++)
        {
            table.state(table.add(identity("m" + i, i), random), MemberState.ALIVE, 0);
        }
        assertThat(table.extrasCount()).as("a quiet view of 1,000 holds no sparse state").isZero();

        final int m = table.find("m17");
        table.suspicion(m, new Suspicion(null, 0, 1, 1, 0));
        table.state(m, MemberState.SUSPECT, 1);
        assertThat(table.suspicion(m)).isNotNull();
        table.state(m, MemberState.DEAD, 2);
        table.suspicion(m, null);
        assertThat(table.extrasCount()).isEqualTo(1);
        table.state(m, MemberState.ALIVE, 3);
        assertThat(table.extrasCount()).isZero();

        assertThat(table.countIndirectOnlyProbe(m)).isEqualTo(1);
        assertThat(table.countIndirectOnlyProbe(m)).isEqualTo(2);
        table.markOneWayWarned(m);
        assertThat(table.oneWayWarned(m)).isTrue();
        table.resetOneWay(m);
        assertThat(table.indirectOnlyProbes(m)).isZero();
        assertThat(table.extrasCount()).isZero();
    }
}
