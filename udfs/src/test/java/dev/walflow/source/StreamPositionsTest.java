package dev.walflow.source;

import dev.walflow.model.Position;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StreamPositionsTest {

    static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("sequence", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    @Test
    void readsThePreviousCommitLsnFromDebeziumsSequence() {
        assertThat(StreamPositions.previousCommitLsn("[\"24229608\",\"24229700\"]")).isEqualTo(24229608L);
        assertThat(StreamPositions.previousCommitLsn("[null,\"0\"]")).isEqualTo(-1);
        assertThat(StreamPositions.previousCommitLsn(null)).isEqualTo(-1);
    }

    @Test
    void changesSharingOneWalRecordAreNumbered() {
        StreamPositions positions = new StreamPositions();

        assertThat(positions.next(source(100, 200))).isEqualTo(new Position(100, 200, 0));
        assertThat(positions.next(source(100, 200))).isEqualTo(new Position(100, 200, 1));
        assertThat(positions.next(source(100, 200))).isEqualTo(new Position(100, 200, 2));
        assertThat(positions.next(source(100, 280))).isEqualTo(new Position(100, 280, 0));
        // The next transaction starts at the same LSN as the previous one's last change.
        assertThat(positions.next(source(300, 280))).isEqualTo(new Position(300, 280, 0));
    }

    @Test
    void beforeAnyCommitTheFirstChangePlacesItsTransaction() {
        StreamPositions positions = new StreamPositions();

        assertThat(positions.next(source(-1, 500))).isEqualTo(new Position(500, 500, 0));
        assertThat(positions.next(source(-1, 580))).isEqualTo(new Position(500, 580, 0));
        assertThat(positions.next(source(640, 700))).isEqualTo(new Position(640, 700, 0));
    }

    /** A Debezium source struct; a negative commit LSN means none seen yet. */
    static Struct source(long previousCommit, long lsn) {
        String commit = previousCommit < 0 ? "null" : "\"" + previousCommit + "\"";
        return new Struct(SOURCE).put("lsn", lsn).put("sequence", "[" + commit + ",\"" + lsn + "\"]");
    }
}
