package dev.walflow.source;

import org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplit;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffset;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffsetFactory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SlotGuardTest {

    @Test
    void aChangeOfATransactionStreamedAfterAMessageMayLieBelowTheConfirmedLsn() {
        // A heartbeat message at 9000 was streamed (and confirmed) before the COPY transaction
        // it was written during; the checkpoint now stands at one of the COPY's rows, at 4000.
        StreamSplit split = split(Map.of("lsn", "4000", "lsn_commit", "9000", "lsn_proc", "8999"));

        assertThat(SlotGuard.checkpointLsn(split)).isEqualTo(4000);
        assertThat(SlotGuard.resumeLsn(split)).isEqualTo(9000);
    }

    @Test
    void withoutACommitLsnTheSplitsOwnLsnBounds() {
        StreamSplit split = split(Map.of("lsn", "4000"));

        assertThat(SlotGuard.resumeLsn(split)).isEqualTo(4000);
        assertThat(SlotGuard.resumeLsn("a snapshot split")).isEqualTo(-1);
    }

    private static StreamSplit split(Map<String, String> offset) {
        return new StreamSplit(StreamSplit.STREAM_SPLIT_ID, new PostgresOffsetFactory().newOffset(offset),
                PostgresOffset.NO_STOPPING_OFFSET, new ArrayList<>(), new HashMap<>(), 0);
    }
}
