package dev.walflow.source;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeEventDeserializerTest {

    @Test
    void readsThePreviousCommitLsnFromDebeziumsSequence() {
        assertThat(ChangeEventDeserializer.previousCommitLsn("[\"24229608\",\"24229700\"]")).isEqualTo(24229608L);
        assertThat(ChangeEventDeserializer.previousCommitLsn("[null,\"0\"]")).isEqualTo(-1);
        assertThat(ChangeEventDeserializer.previousCommitLsn(null)).isEqualTo(-1);
    }
}
