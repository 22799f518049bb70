package dev.walflow.sink.clickhouse;

import dev.walflow.model.ChangeEvent;
import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableInfo;

import java.util.function.Supplier;

/**
 * Renders the rows of one table with one column list into a VALUES list. Every row ends with
 * its version (the change's WAL position, 0 for snapshot rows) and the deleted flag.
 */
final class BatchBuilder {

    final String table;
    final String[] columns;
    private final ClickHouseType[] types;
    private final boolean[] keys;
    private final StringBuilder values = new StringBuilder();
    private int rows;

    BatchBuilder(String table, String[] columns, TableInfo info) {
        this.table = table;
        this.columns = columns;
        this.types = new ClickHouseType[columns.length];
        this.keys = new boolean[columns.length];
        for (int i = 0; i < columns.length; i++) {
            ColumnInfo column = info.column(columns[i]);
            keys[i] = info.primaryKey().contains(columns[i]);
            // A column dropped at the source before its changes got here: its values as text.
            types[i] = column == null ? ClickHouseType.text() : ClickHouseType.of(column, keys[i]);
        }
    }

    /** Adds a row: {@code values} in {@link #columns} order. */
    void add(String[] row, long version, boolean deleted, ChangeEvent event) {
        add(row, version, deleted, () -> "key " + String.join(",", event.key) + " (" + event.op + " at " + event.position + ")");
    }

    /** Adds a row; {@code what} names it in an error. */
    void add(String[] row, long version, boolean deleted, Supplier<String> what) {
        int start = values.length();
        values.append(rows == 0 ? "(" : ",(");
        for (int i = 0; i < row.length; i++) {
            try {
                if (!ClickHouseLiterals.append(values, types[i], row[i]) && keys[i]) {
                    throw new IllegalArgumentException("it has no ClickHouse " + types[i].ddl(true, true) + " value");
                }
            } catch (IllegalArgumentException e) {
                values.setLength(start);
                throw new IllegalArgumentException("Cannot write column " + columns[i] + " of " + table + " "
                        + what.get() + " to ClickHouse: " + e.getMessage(), e);
            }
            values.append(',');
        }
        values.append(version).append(',').append(deleted ? 1 : 0).append(')');
        rows++;
    }

    int rows() {
        return rows;
    }

    long bytes() {
        return values.length() * 2L;
    }

    ClickHouseBatch build(String token) {
        return new ClickHouseBatch(table, columns, values.toString(), rows, token, -1);
    }
}
