package io.swimlog.membership;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SuspicionTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void startsAtTheMaximumAndReachesTheMinimumAfterKConfirmations()
    {
        final Object a = new Object();
        final Object b = new Object();
        final Object originator = new Object();
        final Suspicion suspicion = new Suspicion(originator, 2, 10 * SECOND, 60 * SECOND, 1_000);
        assertThat(suspicion.deadlineNs()).isEqualTo(1_000 + 60 * SECOND);

        assertThat(suspicion.confirm(a)).isTrue();
        final long afterOne = suspicion.deadlineNs();
        assertThat(afterOne).isLessThan(1_000 + 60 * SECOND).isGreaterThan(1_000 + 10 * SECOND);

        assertThat(suspicion.confirm(b)).isTrue();
        assertThat(suspicion.deadlineNs()).isEqualTo(1_000 + 10 * SECOND);
        assertThat(suspicion.confirmations()).isEqualTo(2);
    }

    @Test
    void ignoresRepeatedOriginatorAndSurplusConfirmations()
    {
        final Object originator = new Object();
        final Object a = new Object();
        final Suspicion suspicion = new Suspicion(originator, 2, SECOND, 6 * SECOND, 0);
        assertThat(suspicion.confirm(originator)).isFalse();
        assertThat(suspicion.confirm(null)).isFalse();
        assertThat(suspicion.confirm(a)).isTrue();
        assertThat(suspicion.confirm(a)).isFalse();
        assertThat(suspicion.confirm(new Object())).isTrue();
        assertThat(suspicion.confirm(new Object())).as("k reached").isFalse();
    }

    @Test
    void withNoConfirmationsToWaitForTheTimeoutIsTheMinimum()
    {
        final Suspicion suspicion = new Suspicion(new Object(), 0, 3 * SECOND, 18 * SECOND, 0);
        assertThat(suspicion.deadlineNs()).isEqualTo(3 * SECOND);
        assertThat(suspicion.confirm(new Object())).isFalse();
    }

    @Test
    void anUnconfirmedSuspicionGetsAFewLastChancesThatExtendTheTimer()
    {
        final Suspicion suspicion = new Suspicion(new Object(), 2, SECOND, 6 * SECOND, 0);
        for (int i = 1; i <= Suspicion.LAST_CHANCES; i++)
        {
            assertThat(suspicion.deservesLastChance()).isTrue();
            suspicion.takeLastChance((6 + i) * SECOND);
            assertThat(suspicion.deadlineNs()).isEqualTo((6 + i) * SECOND);
        }
        assertThat(suspicion.deservesLastChance()).as("only so many").isFalse();
    }

    @Test
    void aFullyConfirmedSuspicionGetsNoLastChance()
    {
        final Suspicion suspicion = new Suspicion(new Object(), 2, SECOND, 6 * SECOND, 0);
        suspicion.confirm(new Object());
        assertThat(suspicion.deservesLastChance()).isTrue();
        suspicion.confirm(new Object());
        assertThat(suspicion.deservesLastChance()).isFalse();
    }

    @Test
    void memberlistFormulaForOneConfirmationOfTwo()
    {
        // max - (max - min) * log(2) / log(3)
        final long expected = (long)Math.floor(60.0 * SECOND - 50.0 * SECOND * Math.log(2) / Math.log(3));
        assertThat(Suspicion.timeoutNs(1, 2, 10 * SECOND, 60 * SECOND)).isEqualTo(expected);
    }

    @Test
    void minimumTimeoutGrowsWithLogOfClusterSize()
    {
        assertThat(Suspicion.minTimeoutNs(4, 1, SECOND)).isEqualTo(4 * SECOND);
        assertThat(Suspicion.minTimeoutNs(4, 10, SECOND)).isEqualTo(4 * SECOND);
        assertThat(Suspicion.minTimeoutNs(4, 1000, SECOND)).isEqualTo(12 * SECOND);
        assertThat(Suspicion.minTimeoutNs(4, 100, 500_000_000L)).isEqualTo(4 * SECOND);
    }

    @Test
    void expectedConfirmationsNeedEnoughMembers()
    {
        assertThat(Suspicion.expectedConfirmations(4, 100)).isEqualTo(2);
        assertThat(Suspicion.expectedConfirmations(4, 4)).isEqualTo(2);
        assertThat(Suspicion.expectedConfirmations(4, 3)).isZero();
        assertThat(Suspicion.expectedConfirmations(1, 100)).isZero();
    }

    @Property
    void timeoutShrinksMonotonicallyAndStaysWithinBounds(
        @ForAll @IntRange(min = 1, max = 20) final int k,
        @ForAll @LongRange(min = 1, max = 100_000) final long minMs,
        @ForAll @IntRange(min = 1, max = 10) final int maxMult)
    {
        final long min = minMs * 1_000_000L;
        final long max = min * maxMult;
        long previous = Long.MAX_VALUE;
        for (int n = 0; n <= k + 2; n++)
        {
            final long timeout = Suspicion.timeoutNs(n, k, min, max);
            assertThat(timeout).isBetween(min, max).isLessThanOrEqualTo(previous);
            previous = timeout;
        }
        assertThat(Suspicion.timeoutNs(0, k, min, max)).isEqualTo(max);
        assertThat(Suspicion.timeoutNs(k, k, min, max)).isEqualTo(min);
    }
}
