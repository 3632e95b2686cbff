package io.swimlog.membership;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AwarenessTest
{
    @Test
    void healthyMemberDoesNotStretchTimeouts()
    {
        final Awareness awareness = new Awareness(8);
        assertThat(awareness.score()).isZero();
        assertThat(awareness.scaleTimeout(500)).isEqualTo(500);
    }

    @Test
    void badNewsStretchesAndGoodNewsRestores()
    {
        final Awareness awareness = new Awareness(8);
        awareness.applyDelta(3);
        assertThat(awareness.scaleTimeout(500)).isEqualTo(2_000);
        awareness.applyDelta(-1);
        assertThat(awareness.score()).isEqualTo(2);
        awareness.applyDelta(-10);
        assertThat(awareness.score()).isZero();
    }

    @Test
    void scoreIsCappedBelowTheMaximumMultiplier()
    {
        final Awareness awareness = new Awareness(8);
        awareness.applyDelta(100);
        assertThat(awareness.score()).isEqualTo(7);
        assertThat(awareness.scaleTimeout(1_000)).isEqualTo(8_000);
    }

    @Test
    void rejectsAMultiplierBelowOne()
    {
        assertThatThrownBy(() -> new Awareness(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void scoreStaysInRange(
        @ForAll @IntRange(min = 1, max = 16) final int max,
        @ForAll final int[] deltas)
    {
        final Awareness awareness = new Awareness(max);
        for (final int delta : deltas)
        {
            awareness.applyDelta(delta);
            assertThat(awareness.score()).isBetween(0, max - 1);
        }
    }
}
