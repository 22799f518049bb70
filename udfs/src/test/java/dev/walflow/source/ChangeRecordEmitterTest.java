package dev.walflow.source;

import dev.walflow.model.Position;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.cdc.connectors.base.source.meta.offset.Offset;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceRecords;
import org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplit;
import org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplitState;
import org.apache.flink.cdc.connectors.base.source.metrics.SourceReaderMetrics;
import org.apache.flink.cdc.connectors.base.source.meta.split.SnapshotSplit;
import org.apache.flink.cdc.connectors.base.source.meta.split.SnapshotSplitState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.testutils.MetricListener;
import org.apache.flink.runtime.metrics.groups.InternalSourceReaderMetricGroup;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.RowType;
import dev.walflow.model.ChangeEvent;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffset;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffsetFactory;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeRecordEmitterTest {

    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("db", Schema.STRING_SCHEMA)
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("sequence", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    private static final Schema ROW = SchemaBuilder.struct().name("walflow.public.orders.Value")
            .field("id", Schema.OPTIONAL_STRING_SCHEMA)
            .optional()
            .build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().name("walflow.public.orders.Envelope")
            .field("before", ROW)
            .field("after", ROW)
            .field("source", SOURCE)
            .field("op", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
            .build();
    private static final Schema MESSAGE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.MessageValue")
            .field("op", Schema.STRING_SCHEMA).build();
    private static final Schema HEARTBEAT = SchemaBuilder.struct().name("io.debezium.connector.common.Heartbeat")
            .field("ts_ms", Schema.INT64_SCHEMA).build();

    private final List<String> emitted = new ArrayList<>();

    private ChangeRecordEmitter<String> emitter() {
        return new ChangeRecordEmitter<>(
                new TopicDeserializer(),
                new SourceReaderMetrics(UnregisteredMetricsGroup.createSourceReaderMetricGroup()),
                false,
                new PostgresOffsetFactory());
    }

    @Test
    void aCopiedSnapshotRowIsEmittedAndCountedLikeTheConnectorsOwn() throws Exception {
        MetricListener metrics = new MetricListener();
        ChangeRecordEmitter<String> emitter = new ChangeRecordEmitter<>(
                new TopicDeserializer(),
                new SourceReaderMetrics(InternalSourceReaderMetricGroup.mock(metrics.getMetricGroup())),
                false,
                new PostgresOffsetFactory());
        SnapshotSplitState state = new SnapshotSplitState(new SnapshotSplit(
                new io.debezium.relational.TableId("shop", "public", "orders"), 0,
                RowType.of(new BigIntType()), null, null, null, Map.of()));
        List<SourceRecord> rows = new ArrayList<>();
        for (String key : List.of("1", "2", "3")) {
            ChangeEvent event = new ChangeEvent();
            event.table = "public.orders";
            event.key = new String[] {key};
            rows.add(new SourceRecord(Map.of(), Map.of(), "t", null, null, null, null, new SnapshotRow(event, "shop")));
        }

        emitter.emitRecord(new SourceRecords(rows), new Collecting(), state);

        assertThat(emitted).containsExactly("public.orders:1", "public.orders:2", "public.orders:3");
        assertThat(metrics.getCounter(SourceReaderMetrics.NUM_SNAPSHOT_RECORDS)).map(Counter::getCount).hasValue(3L);
        assertThat(metrics.getCounter("namespace", "shop", "schema", "public", "table", "orders",
                SourceReaderMetrics.NUM_SNAPSHOT_RECORDS)).map(Counter::getCount).hasValue(3L);
    }

    @Test
    void aRowChangeIsEmittedAndItsOffsetReplaysItsTransaction() throws Exception {
        StreamSplitState state = streamAt(Map.of("lsn", "100"));

        emitter().emitRecord(new SourceRecords(List.of(rowChange("a", 90, 200), rowChange("b", 90, 300))), new Collecting(), state);

        assertThat(emitted).containsExactly("a", "b");
        Map<String, String> offset = state.getStartingOffset().getOffset();
        assertThat(offset).containsEntry("lsn", "300").containsEntry("lsn_commit", "90")
                .containsEntry("lsn_proc", "89").containsEntry("walflow_ordinal", "0").containsEntry("txId", "7");
    }

    @Test
    void aRestoreDropsTheReplayedChangesItsCheckpointHolds() throws Exception {
        // Three rows of one COPY share LSN 200; the checkpoint was taken after the second.
        StreamSplitState state = streamAt(ResumeOffsets.afterChange(sourceOffset(90, 200), new Position(90, 200, 1)));
        List<SourceRecord> replay = List.of(
                rowChange("copy-1", 90, 200), rowChange("copy-2", 90, 200), rowChange("copy-3", 90, 200),
                rowChange("after-copy", 90, 260), rowChange("next-transaction", 400, 420));

        emitter().emitRecord(new SourceRecords(replay), new Collecting(), state);

        assertThat(emitted).containsExactly("copy-3", "after-copy", "next-transaction");
    }

    @Test
    void aSplitAssignedAgainNumbersItsReplayedChangesAfresh() throws Exception {
        ChangeRecordEmitter<String> emitter = emitter();
        StreamSplitState first = streamAt(Map.of("lsn", "100"));
        emitter.emitRecord(new SourceRecords(List.of(rowChange("copy-1", 90, 200))), new Collecting(), first);
        // The split comes back (a failover inside the reader, new tables) at the offset after copy-1.
        StreamSplitState again = streamAt(first.getStartingOffset().getOffset());
        emitted.clear();

        emitter.emitRecord(new SourceRecords(List.of(
                rowChange("copy-1", 90, 200), rowChange("copy-2", 90, 200), rowChange("copy-3", 90, 200))), new Collecting(), again);

        assertThat(emitted).containsExactly("copy-2", "copy-3");
    }

    @Test
    void aHeartbeatAtACommitResumesWithWhateverCommitsAfterIt() throws Exception {
        StreamSplitState state = streamAt(Map.of("lsn", "100"));

        // Debezium puts lsn, lsn_proc and lsn_commit at the COMMIT's end.
        emitter().emitRecord(new SourceRecords(List.of(heartbeat(sourceOffset(500, 500)))), new Collecting(), state);

        assertThat(emitted).isEmpty();
        // Without lsn_proc and lsn_commit, Debezium resumes with the first message from lsn.
        assertThat(state.getStartingOffset().getOffset()).containsEntry("lsn", "500")
                .doesNotContainKeys("lsn_commit", "lsn_proc", "walflow_ordinal");
    }

    @Test
    void aHeartbeatInsideATransactionLeavesTheLastChangesOffset() throws Exception {
        StreamSplitState state = streamAt(Map.of("lsn", "100"));
        ChangeRecordEmitter<String> emitter = emitter();
        emitter.emitRecord(new SourceRecords(List.of(rowChange("a", 90, 200))), new Collecting(), state);
        Offset afterChange = state.getStartingOffset();

        Map<String, Object> insideTransaction = sourceOffset(90, 200);
        insideTransaction.put("lsn_proc", 200L);
        emitter.emitRecord(new SourceRecords(List.of(heartbeat(insideTransaction))), new Collecting(), state);

        assertThat(state.getStartingOffset()).isSameAs(afterChange);
    }

    @Test
    void aLogicalMessagesOffsetIsKeptThroughTheHeartbeatsAfterIt() throws Exception {
        StreamSplitState state = streamAt(Map.of("lsn", "100"));
        ChangeRecordEmitter<String> emitter = emitter();

        emitter.emitRecord(new SourceRecords(List.of(message(sourceOffset(640, 640)))), new Collecting(), state);
        Offset atMessage = state.getStartingOffset();
        emitter.emitRecord(new SourceRecords(List.of(heartbeat(sourceOffset(640, 640)))), new Collecting(), state);

        assertThat(state.getStartingOffset()).isSameAs(atMessage);
        assertThat(atMessage.getOffset()).containsEntry("lsn_proc", "640").containsEntry("lsn_commit", "640");
    }

    @Test
    void recognisesRowChanges() {
        assertThat(ChangeRecordEmitter.isRowChange(heartbeat(sourceOffset(1, 1)))).isFalse();
        assertThat(ChangeRecordEmitter.isRowChange(rowChange("orders-1", 90, 200))).isTrue();
    }

    private static StreamSplitState streamAt(Map<String, String> offset) {
        return new StreamSplitState(new StreamSplit(StreamSplit.STREAM_SPLIT_ID, new PostgresOffsetFactory().newOffset(offset),
                PostgresOffset.NO_STOPPING_OFFSET, new ArrayList<>(), new HashMap<>(), 0));
    }

    private static SourceRecord rowChange(String topic, long previousCommit, long lsn) {
        Struct source = new Struct(SOURCE).put("db", "app").put("schema", "public").put("table", "orders").put("ts_ms", 1L)
                .put("lsn", lsn).put("sequence", "[\"" + previousCommit + "\",\"" + lsn + "\"]");
        Struct value = new Struct(ENVELOPE)
                .put("after", new Struct(ROW).put("id", "1"))
                .put("source", source)
                .put("op", "c");
        Map<String, Object> offset = sourceOffset(previousCommit, lsn);
        offset.put("lsn_proc", lsn);
        return new SourceRecord(Map.of("server", "walflow"), offset, topic, null, ENVELOPE, value);
    }

    /** A logical-decoding message (walflow's heartbeat), as Debezium emits it. */
    private static SourceRecord message(Map<String, Object> offset) {
        return new SourceRecord(Map.of("server", "walflow"), offset, "walflow.message", null, MESSAGE,
                new Struct(MESSAGE).put("op", "m"));
    }

    private static SourceRecord heartbeat(Map<String, Object> offset) {
        return new SourceRecord(Map.of("server", "walflow"), offset, "__debezium-heartbeat",
                null, HEARTBEAT, new Struct(HEARTBEAT).put("ts_ms", 1L));
    }

    /** Debezium's offset map; lsn_proc equals lsn_commit unless set otherwise. */
    private static Map<String, Object> sourceOffset(long commit, long lsn) {
        Map<String, Object> offset = new HashMap<>();
        offset.put("lsn", lsn);
        offset.put("lsn_commit", commit);
        offset.put("lsn_proc", commit);
        offset.put("txId", 7L);
        offset.put("ts_usec", 1_000L);
        return offset;
    }

    private final class TopicDeserializer implements DebeziumDeserializationSchema<String>, SnapshotRowDeserializer<String> {
        @Override
        public void deserialize(SourceRecord record, Collector<String> out) {
            out.collect(record.topic());
        }

        @Override
        public void deserialize(SnapshotRow row, Collector<String> out) {
            out.collect(row.event().table + ":" + row.event().key[0]);
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }

    private final class Collecting implements SourceOutput<String> {
        @Override
        public void collect(String record) {
            emitted.add(record);
        }

        @Override
        public void collect(String record, long timestamp) {
            emitted.add(record);
        }

        @Override
        public void emitWatermark(Watermark watermark) {}

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    }
}
