package dev.walflow.source;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceRecords;
import org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplit;
import org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplitState;
import org.apache.flink.cdc.connectors.base.source.metrics.SourceReaderMetrics;
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

    private final List<String> emitted = new ArrayList<>();
    private final ChangeRecordEmitter<String> emitter = new ChangeRecordEmitter<>(
            new TopicDeserializer(),
            new SourceReaderMetrics(UnregisteredMetricsGroup.createSourceReaderMetricGroup()),
            false,
            new PostgresOffsetFactory());

    @Test
    void aRowChangeIsEmittedAndMovesTheStreamPosition() throws Exception {
        StreamSplitState state = new StreamSplitState(new StreamSplit(
                StreamSplit.STREAM_SPLIT_ID, offset(100), PostgresOffset.NO_STOPPING_OFFSET, new ArrayList<>(), new HashMap<>(), 0));

        emitter.emitRecord(new SourceRecords(List.of(rowChange("orders-1", 200), rowChange("orders-2", 300))), new Collecting(), state);

        assertThat(emitted).containsExactly("orders-1", "orders-2");
        assertThat(state.getStartingOffset()).isEqualTo(offset(300));
    }

    @Test
    void recordsThatAreNotRowChangesTakeFlinkCdcsPath() throws Exception {
        StreamSplitState state = new StreamSplitState(new StreamSplit(
                StreamSplit.STREAM_SPLIT_ID, offset(100), PostgresOffset.NO_STOPPING_OFFSET, new ArrayList<>(), new HashMap<>(), 0));
        Schema heartbeatSchema = SchemaBuilder.struct().name("io.debezium.connector.common.Heartbeat")
                .field("ts_ms", Schema.INT64_SCHEMA).build();
        SourceRecord heartbeat = new SourceRecord(Map.of("server", "walflow"), sourceOffset(400), "__debezium-heartbeat",
                null, heartbeatSchema, new Struct(heartbeatSchema).put("ts_ms", 1L));

        assertThat(ChangeRecordEmitter.isRowChange(heartbeat)).isFalse();
        assertThat(ChangeRecordEmitter.isRowChange(rowChange("orders-1", 200))).isTrue();
        emitter.emitRecord(new SourceRecords(List.of(heartbeat)), new Collecting(), state);

        // Flink CDC's own handling: nothing emitted, the position still follows the heartbeat.
        assertThat(emitted).isEmpty();
        assertThat(state.getStartingOffset()).isEqualTo(offset(400));
    }

    private static SourceRecord rowChange(String topic, long lsn) {
        Struct source = new Struct(SOURCE).put("db", "app").put("schema", "public").put("table", "orders").put("ts_ms", 1L);
        Struct value = new Struct(ENVELOPE)
                .put("after", new Struct(ROW).put("id", "1"))
                .put("source", source)
                .put("op", "c");
        return new SourceRecord(Map.of("server", "walflow"), sourceOffset(lsn), topic, null, ENVELOPE, value);
    }

    private static Map<String, Object> sourceOffset(long lsn) {
        Map<String, Object> offset = new HashMap<>();
        offset.put("lsn", lsn);
        offset.put("txId", 7L);
        offset.put("ts_usec", 1_000L);
        return offset;
    }

    private static PostgresOffset offset(long lsn) {
        return PostgresOffset.of(sourceOffset(lsn));
    }

    private final class TopicDeserializer implements DebeziumDeserializationSchema<String> {
        @Override
        public void deserialize(SourceRecord record, Collector<String> out) {
            out.collect(record.topic());
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
