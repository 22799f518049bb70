package dev.walflow.source;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import dev.walflow.model.Position;
import io.debezium.relational.Column;
import io.debezium.relational.Table;
import io.debezium.relational.TableSchema;
import org.apache.flink.cdc.connectors.base.source.meta.split.SnapshotSplit;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Reads one snapshot chunk as {@code COPY (SELECT ... WHERE chunk range) TO STDOUT} and turns
 * each row into a snapshot {@link ChangeEvent}.
 *
 * <p>Why: Flink CDC reads every value with {@code ResultSet.getObject}, Debezium builds a
 * struct per row with a source block (a JSON {@code sequence} each time), and {@link
 * PgTextConverter} formats the values back into text; that was most of the job's CPU per
 * snapshot row (BENCHMARKS.md). COPY's text format already is the PostgreSQL text walflow
 * carries. Only tables whose every column type prints the same text as {@link PgText} gives
 * the streamed value are read this way (a few types, and arrays, are normalized here);
 * {@link #unsupported} names what keeps the others on the connector's path.
 */
final class CopyChunkReader {

    /**
     * Column types whose COPY text (UTC, hex bytea) is the text {@link PgText} gives them. Debezium
     * names a column with a sequence default by its serial type.
     */
    private static final Set<String> SAME_TEXT = Set.of(
            "int2", "int4", "int8", "smallserial", "serial", "bigserial", "oid", "numeric", "text",
            "varchar", "bpchar", "name", "uuid", "json", "jsonb", "xml", "bytea", "date", "timestamp",
            "timestamptz", "time", "inet", "cidr", "macaddr", "macaddr8");

    /** Array element types served: {@link #SAME_TEXT}'s and the normalized scalars, not serials (no such arrays). */
    private static final Set<String> ARRAY_ELEMENTS = Set.of(
            "int2", "int4", "int8", "oid", "numeric", "text", "varchar", "bpchar", "name", "uuid", "json", "jsonb",
            "bytea", "date", "timestamp", "timestamptz", "time", "inet", "cidr", "macaddr", "bool", "float4", "float8");

    /** Chunk-key types whose bounds (numbers, strings, UUIDs from the splitter) print as literals. */
    private static final Set<String> LITERAL_KEYS = Set.of(
            "int2", "int4", "int8", "smallserial", "serial", "bigserial", "oid", "numeric", "text",
            "varchar", "bpchar", "uuid");

    /** The type a serial column's literal is cast to (a serial type is no type to cast to). */
    private static final Map<String, String> CAST_TYPES = Map.of(
            "smallserial", "int2", "serial", "int4", "bigserial", "int8");

    private static final Pattern PLAIN_TYPE = Pattern.compile("[a-z0-9_]+");

    /** The text of a type in {@link #SAME_TEXT}, which needs no change. */
    private static final UnaryOperator<String> AS_IS = v -> v;

    /** Receives each row's event; false stops the read (the task was closed). */
    interface RowSink {
        boolean accept(ChangeEvent event) throws InterruptedException;
    }

    private final String table;
    private final String sql;
    private final String[] columns;
    /** Per column, how its COPY text becomes walflow's ({@link #textOf}). */
    private final UnaryOperator<String>[] text;
    private final String[] keyColumns;
    private final int[] keyIndexes;
    private final int schemaVersion;

    private CopyChunkReader(
            String table, String sql, String[] columns, UnaryOperator<String>[] text, String[] keyColumns, int[] keyIndexes) {
        this.table = table;
        this.sql = sql;
        this.columns = columns;
        this.text = text;
        this.keyColumns = keyColumns;
        this.keyIndexes = keyIndexes;
        // As ChangeEventDeserializer versions a row schema: by its column names.
        this.schemaVersion = Arrays.hashCode(columns);
    }

    /** The reader for {@code split}, which {@link #unsupported} has found COPY can read. */
    @SuppressWarnings("unchecked")
    static CopyChunkReader forSplit(Table table, TableSchema schema, SnapshotSplit split) {
        List<Field> fields = schema.valueSchema().fields();
        String[] columns = new String[fields.size()];
        UnaryOperator<String>[] text = new UnaryOperator[fields.size()];
        StringBuilder select = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.length; i++) {
            columns[i] = fields.get(i).name();
            text[i] = textOf(table.columnWithName(columns[i]).typeName());
            select.append(i == 0 ? "" : ", ").append(quote(columns[i]));
        }
        select.append(" FROM ").append(quote(table.id().schema())).append('.').append(quote(table.id().table()));
        String where = rangeCondition(table, split);
        if (!where.isEmpty()) {
            select.append(" WHERE ").append(where);
        }
        Schema keySchema = schema.keySchema();
        List<Field> keyFields = keySchema == null ? List.of() : keySchema.fields();
        String[] keyColumns = new String[keyFields.size()];
        int[] keyIndexes = new int[keyFields.size()];
        for (int k = 0; k < keyColumns.length; k++) {
            keyColumns[k] = keyFields.get(k).name();
            keyIndexes[k] = Arrays.asList(columns).indexOf(keyColumns[k]);
        }
        String name = table.id().schema() + "." + table.id().table();
        return new CopyChunkReader(name, "COPY (" + select + ") TO STDOUT", columns, text, keyColumns, keyIndexes);
    }

    /** Why {@code split} cannot be read with COPY, or null when it can. */
    static String unsupported(Table table, TableSchema schema, SnapshotSplit split) {
        for (Field field : schema.valueSchema().fields()) {
            Column column = table.columnWithName(field.name());
            if (column == null) {
                return "column " + field.name() + " is not in the table's definition";
            }
            if (textOf(column.typeName()) == null) {
                return "column " + field.name() + " has type " + column.typeName();
            }
        }
        if (schema.keySchema() != null) {
            for (Field key : schema.keySchema().fields()) {
                if (schema.valueSchema().field(key.name()) == null) {
                    return "key column " + key.name() + " is not captured";
                }
            }
        }
        List<String> chunkKey = split.getSplitKeyType().getFieldNames();
        if (split.getSplitStart() == null && split.getSplitEnd() == null) {
            return null; // the whole table in one chunk
        }
        if (chunkKey.size() != 1) {
            return "the chunk key has " + chunkKey.size() + " columns";
        }
        Column column = table.columnWithName(chunkKey.get(0));
        if (column == null || !LITERAL_KEYS.contains(column.typeName())) {
            return "chunk key " + chunkKey.get(0) + " has type " + (column == null ? "unknown" : column.typeName());
        }
        for (Object[] bound : new Object[][] {split.getSplitStart(), split.getSplitEnd()}) {
            if (bound != null && (bound.length != 1 || literalText(bound[0]) == null)) {
                return "a chunk bound is " + Arrays.toString(bound);
            }
        }
        return null;
    }

    /**
     * Streams the chunk's rows to {@code sink} inside a transaction that fixes the settings the
     * text depends on (time zone, bytea and float output).
     *
     * @return rows read
     */
    long read(Connection connection, RowSink sink) throws SQLException, InterruptedException {
        boolean autoCommit = connection.getAutoCommit();
        if (autoCommit) {
            connection.setAutoCommit(false);
        }
        long rows = 0;
        try {
            try (Statement settings = connection.createStatement()) {
                settings.execute("SET LOCAL TimeZone TO 'UTC'; SET LOCAL bytea_output TO 'hex'; SET LOCAL extra_float_digits TO 3");
            }
            CopyOut copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
            try {
                byte[] row;
                while ((row = copy.readFromCopy()) != null) {
                    rows++;
                    if (!sink.accept(event(row, rows))) {
                        break;
                    }
                }
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
            connection.commit();
        } catch (SQLException | InterruptedException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException closed) {
                e.addSuppressed(closed); // a cancelled task's connection may be gone; the cause is e
            }
            throw e;
        }
        if (autoCommit) {
            connection.setAutoCommit(true);
        }
        return rows;
    }

    private ChangeEvent event(byte[] row, long rowNumber) {
        String[] values;
        try {
            values = CopyTextRow.parse(row, columns.length);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Snapshot of " + table + ": row " + rowNumber + " of the chunk: " + e.getMessage(), e);
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null && text[i] != AS_IS) {
                values[i] = text[i].apply(values[i]);
            }
        }
        ChangeEvent event = new ChangeEvent();
        event.table = table;
        event.op = Operation.SNAPSHOT;
        event.position = Position.SNAPSHOT;
        event.schemaVersion = schemaVersion;
        event.columns = columns;
        event.keyColumns = keyColumns;
        event.key = new String[keyIndexes.length];
        for (int k = 0; k < keyIndexes.length; k++) {
            event.key[k] = values[keyIndexes[k]];
        }
        event.after = values;
        return event;
    }

    String sql() {
        return sql;
    }

    /**
     * How a column's COPY text becomes the text {@link PgText} gives the streamed value (an
     * array's: each element's, requoted by {@link CopyArrayText}), or null when COPY cannot serve
     * the type.
     */
    private static UnaryOperator<String> textOf(String typeName) {
        if (typeName.startsWith("_")) {
            String elementType = typeName.substring(1);
            UnaryOperator<String> element = ARRAY_ELEMENTS.contains(elementType) ? textOf(elementType) : null;
            return element == null ? null : v -> CopyArrayText.normalize(v, element);
        }
        if (SAME_TEXT.contains(typeName)) {
            return AS_IS;
        }
        return switch (typeName) {
            case "bool" -> v -> "t".equals(v) ? "true" : "false";
            case "float4" -> v -> PgText.formatFloat(Float.parseFloat(v));
            case "float8" -> v -> PgText.formatDouble(Double.parseDouble(v));
            default -> null;
        };
    }

    /** Flink CDC's chunk range: {@code start <= key < end}, either side open when absent. */
    private static String rangeCondition(Table table, SnapshotSplit split) {
        if (split.getSplitStart() == null && split.getSplitEnd() == null) {
            return "";
        }
        String key = split.getSplitKeyType().getFieldNames().get(0);
        String typeName = table.columnWithName(key).typeName();
        String type = CAST_TYPES.getOrDefault(typeName, typeName);
        StringBuilder where = new StringBuilder();
        if (split.getSplitStart() != null) {
            where.append(quote(key)).append(" >= ").append(literal(split.getSplitStart()[0], type));
        }
        if (split.getSplitEnd() != null) {
            where.append(where.length() == 0 ? "" : " AND ")
                    .append(quote(key)).append(" < ").append(literal(split.getSplitEnd()[0], type));
        }
        return where.toString();
    }

    private static String literalText(Object bound) {
        if (bound instanceof BigDecimal) {
            return ((BigDecimal) bound).toPlainString();
        }
        if (bound instanceof Number || bound instanceof String || bound instanceof UUID) {
            return bound.toString();
        }
        return null;
    }

    /** A dollar-quoted literal (immune to standard_conforming_strings) cast to the key's type. */
    static String literal(Object bound, String type) {
        if (!PLAIN_TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("Chunk key type " + type + " cannot be written as a cast");
        }
        String text = literalText(bound);
        String tag = "$w$";
        for (int n = 0; text.contains(tag); n++) {
            tag = "$w" + n + "$";
        }
        return tag + text + tag + "::" + type;
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
