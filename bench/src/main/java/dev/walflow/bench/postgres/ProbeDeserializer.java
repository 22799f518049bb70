package dev.walflow.bench.postgres;

import dev.walflow.model.ChangeEvent;
import dev.walflow.source.SnapshotRow;
import dev.walflow.source.SnapshotRowDeserializer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The least a deserializer can do with Flink CDC's records: note each row change's table (and a
 * marker's key) in {@link StageProbe}, and emit nothing. A source with it measures the
 * connector alone.
 */
final class ProbeDeserializer
        implements DebeziumDeserializationSchema<ChangeEvent>, SnapshotRowDeserializer<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(SourceRecord record, Collector<ChangeEvent> out) throws Exception {
        if (!(record.value() instanceof Struct value) || value.schema().field("op") == null
                || "m".equals(value.getString("op"))) {
            return; // not a row change (tombstone, heartbeat message)
        }
        Struct source = value.getStruct("source");
        String table = source.getString("schema") + "." + source.getString("table");
        String key = null;
        if (Markers.TABLE.equals(table) && record.key() instanceof Struct k) {
            key = String.valueOf(k.get("id"));
        }
        StageProbe.seen(table, key);
    }

    /** A snapshot row read with COPY arrives built; only its table is noted (markers are never snapshotted). */
    @Override
    public void deserialize(SnapshotRow row, Collector<ChangeEvent> out) throws InterruptedException {
        StageProbe.seen(row.event().table, null);
    }

    @Override
    public TypeInformation<ChangeEvent> getProducedType() {
        return TypeInformation.of(ChangeEvent.class);
    }
}
