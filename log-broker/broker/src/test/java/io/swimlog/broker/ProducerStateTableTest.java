package io.swimlog.broker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProducerStateTableTest
{
    private final ProducerStateTable table = new ProducerStateTable();

    @Test
    void aNewProducerMustStartAtSequenceZero()
    {
        assertThat(table.check(7, (short)0, 3, 5)).isEqualTo(ProducerStateTable.UNKNOWN_PRODUCER);
        assertThat(table.check(7, (short)0, 0, 2)).isEqualTo(ProducerStateTable.APPEND);
    }

    @Test
    void aRetriedBatchIsADuplicateAnsweredWithItsFirstOffset()
    {
        table.update(7, (short)0, 0, 9, 100);
        table.update(7, (short)0, 10, 19, 110);

        assertThat(table.check(7, (short)0, 0, 9)).isEqualTo(ProducerStateTable.DUPLICATE);
        assertThat(table.duplicateBaseOffset()).isEqualTo(100);
        assertThat(table.check(7, (short)0, 10, 19)).isEqualTo(ProducerStateTable.DUPLICATE);
        assertThat(table.duplicateBaseOffset()).isEqualTo(110);
    }

    @Test
    void aGapIsOutOfOrderAndTheNextSequenceIsAppended()
    {
        table.update(7, (short)0, 0, 9, 100);

        assertThat(table.check(7, (short)0, 11, 12)).isEqualTo(ProducerStateTable.OUT_OF_ORDER);
        assertThat(table.expectedSequence()).isEqualTo(10);
        assertThat(table.check(7, (short)0, 10, 12)).isEqualTo(ProducerStateTable.APPEND);
    }

    @Test
    void anOlderEpochIsFencedAndANewerOneRestartsAtZero()
    {
        table.update(7, (short)3, 0, 9, 100);

        assertThat(table.check(7, (short)2, 10, 10)).isEqualTo(ProducerStateTable.FENCED);
        assertThat(table.check(7, (short)4, 10, 10)).isEqualTo(ProducerStateTable.UNKNOWN_PRODUCER);
        assertThat(table.check(7, (short)4, 0, 0)).isEqualTo(ProducerStateTable.APPEND);
    }

    @Test
    void onlyTheLastFiveBatchesAreRecognisedAsDuplicates()
    {
        for (int i = 0; i < 6; i++)
        {
            table.update(7, (short)0, i * 10, i * 10 + 9, 1000 + i * 10);
        }

        assertThat(table.check(7, (short)0, 0, 9)).isEqualTo(ProducerStateTable.OUT_OF_ORDER);
        assertThat(table.check(7, (short)0, 10, 19)).isEqualTo(ProducerStateTable.DUPLICATE);
    }

    @Test
    void sequencesWrapAtIntegerMaxValue()
    {
        assertThat(ProducerStateTable.increment(Integer.MAX_VALUE, 1)).isZero();
        assertThat(ProducerStateTable.increment(Integer.MAX_VALUE - 1, 3)).isEqualTo(1);
        table.update(7, (short)0, Integer.MAX_VALUE - 9, Integer.MAX_VALUE, 100);
        assertThat(table.check(7, (short)0, 0, 4)).isEqualTo(ProducerStateTable.APPEND);
    }
}
