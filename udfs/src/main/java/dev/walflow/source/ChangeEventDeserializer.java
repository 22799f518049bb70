package dev.walflow.source;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import dev.walflow.model.Position;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;

/**
 * Turns Flink CDC's Debezium records into {@link ChangeEvent}s. Values arrive already as
 * PostgreSQL text (see {@link PgTextConverter}); this class adds the operation, key and
 * {@link Position}, which {@link ChangeRecordEmitter} hands it for streamed changes.
 */
public final class ChangeEventDeserializer
        implements PositionedDeserializer<ChangeEvent>, SnapshotRowDeserializer<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    /** Tables with REPLICA IDENTITY FULL, whose old rows the WAL carries whole. */
    private final Set<String> fullIdentityTables;

    /**
     * Column names and version per row or key schema: Debezium reuses one schema object per table
     * version, so every event of a table shares one names array (which the serializer sends once).
     */
    private transient Map<Schema, RowShape> shapes;

    private record RowShape(String[] columns, int version) {}

    private static final RowShape NO_ROW = new RowShape(new String[0], Arrays.hashCode(new String[0]));

    public ChangeEventDeserializer(Set<String> fullIdentityTables) {
        this.fullIdentityTables = new HashSet<>(fullIdentityTables);
    }

    @Override
    public void deserialize(SourceRecord record, Collector<ChangeEvent> out) {
        deserialize(record, null, out);
    }

    @Override
    public void deserialize(SnapshotRow row, Collector<ChangeEvent> out) {
        out.collect(row.event());
    }

    /** @param position where a streamed change stands (from {@link ChangeRecordEmitter}); null for snapshot rows */
    @Override
    public void deserialize(SourceRecord record, Position position, Collector<ChangeEvent> out) {
        if (!(record.value() instanceof Struct)) {
            return; // tombstones
        }
        Struct value = (Struct) record.value();
        Schema valueSchema = value.schema();
        if (valueSchema.field("op") == null) {
            return;
        }
        Operation op = operation(value.getString("op"));
        if (op == null) {
            return;
        }
        Struct source = value.getStruct("source");
        ChangeEvent event = new ChangeEvent();
        event.table = source.getString("schema") + "." + source.getString("table");
        event.op = op;
        event.originClientId = null;

        Struct before = valueSchema.field("before") == null ? null : value.getStruct("before");
        Struct after = valueSchema.field("after") == null ? null : value.getStruct("after");
        Struct image = after != null ? after : before;
        RowShape shape = image == null ? NO_ROW : shape(image.schema());
        event.columns = shape.columns();
        event.schemaVersion = shape.version();
        event.before = values(before, event.columns);
        if (event.before != null && !fullIdentityTables.contains(event.table) && keyStructOf(record) != null) {
            // Without REPLICA IDENTITY FULL the WAL holds only the old key; Debezium fills the
            // other NOT NULL columns with made-up defaults, which must not pass for data.
            keepOnlyKey(event, keyStructOf(record));
        }
        event.after = values(after, event.columns);

        Struct keyStruct = record.key() instanceof Struct ? (Struct) record.key() : null;
        if (keyStruct != null && op != Operation.TRUNCATE) {
            List<Field> keyFields = keyStruct.schema().fields();
            event.keyColumns = shape(keyStruct.schema()).columns();
            event.key = new String[keyFields.size()];
            for (int i = 0; i < keyFields.size(); i++) {
                Object v = keyStruct.get(keyFields.get(i));
                event.key[i] = v == null ? null : v.toString();
            }
        } else {
            event.keyColumns = new String[0];
            event.key = new String[0];
        }

        if (op == Operation.SNAPSHOT) {
            event.position = Position.SNAPSHOT;
            event.txId = 0;
            event.commitMicros = 0;
        } else {
            if (position == null) {
                // Only the emitter follows the whole stream, which numbering changes needs.
                throw new IllegalStateException("A streamed change of " + event.table
                        + " reached the deserializer without its position; the source must emit through ChangeRecordEmitter");
            }
            event.position = position;
            Long txId = source.getInt64("txId");
            event.txId = txId == null ? 0 : txId;
            event.commitMicros = commitMicros(record, source);
        }
        out.collect(event);
    }

    private RowShape shape(Schema rowSchema) {
        if (shapes == null) {
            shapes = new IdentityHashMap<>();
        }
        return shapes.computeIfAbsent(rowSchema, s -> {
            List<Field> fields = s.fields();
            String[] names = new String[fields.size()];
            for (int i = 0; i < fields.size(); i++) {
                names[i] = fields.get(i).name();
            }
            return new RowShape(names, Arrays.hashCode(names));
        });
    }

    private static Struct keyStructOf(SourceRecord record) {
        return record.key() instanceof Struct ? (Struct) record.key() : null;
    }

    private static void keepOnlyKey(ChangeEvent event, Struct key) {
        for (int i = 0; i < event.columns.length; i++) {
            if (key.schema().field(event.columns[i]) == null) {
                event.before[i] = null;
            }
        }
    }

    private static long commitMicros(SourceRecord record, Struct source) {
        Map<String, ?> offset = record.sourceOffset();
        Object usec = offset == null ? null : offset.get("ts_usec");
        if (usec instanceof Number) {
            return ((Number) usec).longValue();
        }
        Long ms = source.getInt64("ts_ms");
        return ms == null ? 0 : ms * 1000;
    }

    private static String[] values(Struct row, String[] columns) {
        if (row == null) {
            return null;
        }
        String[] values = new String[columns.length];
        List<Field> fields = row.schema().fields();
        boolean sameOrder = fields.size() == columns.length;
        for (int i = 0; i < columns.length; i++) {
            // Before and after images share the table's schema, so the names line up by
            // position and the lookup by name is only the fallback.
            Field field = sameOrder && fields.get(i).name().equals(columns[i])
                    ? fields.get(i)
                    : row.schema().field(columns[i]);
            Object v = field == null ? null : row.get(field);
            if (v != null && !(v instanceof String)) {
                throw new IllegalStateException(
                        "Column " + columns[i] + " arrived as " + v.getClass().getName()
                                + " instead of text; its type is not supported by walflow");
            }
            values[i] = (String) v;
        }
        return values;
    }

    private static Operation operation(String op) {
        switch (op) {
            case "r":
                return Operation.SNAPSHOT;
            case "c":
                return Operation.INSERT;
            case "u":
                return Operation.UPDATE;
            case "d":
                return Operation.DELETE;
            case "t":
                return Operation.TRUNCATE;
            default:
                return null; // 'm' logical messages (heartbeats) carry no row
        }
    }

    @Override
    public TypeInformation<ChangeEvent> getProducedType() {
        return TypeInformation.of(ChangeEvent.class);
    }
}
