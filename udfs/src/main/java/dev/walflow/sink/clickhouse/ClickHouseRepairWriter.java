package dev.walflow.sink.clickhouse;

import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * Writes the verifier's repair rows into a table's ClickHouse copy: source rows and deleted
 * keys, all at one version the caller chose. Rows are rendered by the sink's own {@link
 * BatchBuilder}, so their values are what the sink would write, and inserted synchronously
 * with a token of their own (never deduplicated against the sink's batches).
 */
public final class ClickHouseRepairWriter {

    private final ClickHouseConfig config;
    private final TableInfo table;

    public ClickHouseRepairWriter(ClickHouseConfig config, TableInfo table) {
        this.config = config;
        this.table = table;
    }

    /**
     * @param rows source rows, every column's text in the table's column order
     * @param deletedKeys keys to write as deleted, the key columns' text in key order
     */
    public void write(Connection clickHouse, List<String[]> rows, List<List<String>> deletedKeys, long version)
            throws SQLException {
        String name = table.id().toString();
        String[] columns = table.columns().stream().map(ColumnInfo::name).toArray(String[]::new);
        if (!rows.isEmpty()) {
            BatchBuilder b = new BatchBuilder(name, columns, table);
            for (String[] row : rows) {
                b.add(row, version, false, () -> "repair row at version " + version);
            }
            insert(clickHouse, b);
        }
        if (!deletedKeys.isEmpty()) {
            BatchBuilder b = new BatchBuilder(name, table.primaryKey().toArray(new String[0]), table);
            for (List<String> key : deletedKeys) {
                b.add(key.toArray(new String[0]), version, true, () -> "repair delete of key " + key);
            }
            insert(clickHouse, b);
        }
    }

    private void insert(Connection clickHouse, BatchBuilder b) throws SQLException {
        ClickHouseTarget.insert(clickHouse, config, TableId.ofEventTable(b.table),
                b.build("walflow-repair:" + UUID.randomUUID()));
    }
}
