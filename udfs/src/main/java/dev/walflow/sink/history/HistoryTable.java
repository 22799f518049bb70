package dev.walflow.sink.history;

import java.util.List;

/**
 * DDL of {@code change_history}: seed 001's columns (id, lsn, table_name, operation, data,
 * old_data, transaction_id, schema_version, timestamp, metadata, client_id), plus the change's
 * full position and its key. Unique indexes make a change's second arrival a no-op: streamed
 * changes by position, snapshot rows by table and key.
 */
public final class HistoryTable {

    private HistoryTable() {}

    public static List<String> ddl(String schema) {
        String t = schema + ".change_history";
        return List.of(
                "CREATE SCHEMA IF NOT EXISTS " + schema,
                "CREATE TABLE IF NOT EXISTS " + t + " ("
                        + " id bigserial PRIMARY KEY,"
                        + " lsn pg_lsn NOT NULL,"
                        + " change_lsn pg_lsn NOT NULL,"
                        + " ordinal int NOT NULL,"
                        + " table_name text NOT NULL,"
                        + " operation text NOT NULL,"
                        + " row_key jsonb,"
                        + " data jsonb,"
                        + " old_data jsonb,"
                        + " transaction_id bigint,"
                        + " schema_version int NOT NULL,"
                        + " timestamp timestamptz,"
                        + " metadata jsonb,"
                        + " client_id text,"
                        + " recorded_at timestamptz NOT NULL DEFAULT now())",
                "CREATE UNIQUE INDEX IF NOT EXISTS change_history_change ON " + t
                        + " (lsn, change_lsn, ordinal, table_name) WHERE operation <> 'SNAPSHOT'",
                "CREATE UNIQUE INDEX IF NOT EXISTS change_history_snapshot_row ON " + t
                        + " (table_name, row_key) WHERE operation = 'SNAPSHOT'",
                "CREATE INDEX IF NOT EXISTS change_history_table_position ON " + t
                        + " (table_name, lsn, change_lsn, ordinal)",
                // The client-sync work registers clients here; pruning keeps what they still need.
                "CREATE TABLE IF NOT EXISTS " + schema + ".client_positions ("
                        + " client_id text PRIMARY KEY, acknowledged_lsn pg_lsn NOT NULL,"
                        + " updated_at timestamptz NOT NULL DEFAULT now())");
    }

    /** Every relation {@link #ddl} creates, schema-qualified, to check before running it. */
    public static List<String> relations(String schema) {
        return List.of(
                schema + ".change_history",
                schema + ".change_history_change",
                schema + ".change_history_snapshot_row",
                schema + ".change_history_table_position",
                schema + ".client_positions");
    }

    static String insertSql(String schema) {
        return "INSERT INTO " + schema + ".change_history (lsn, change_lsn, ordinal, table_name, operation,"
                + " row_key, data, old_data, transaction_id, schema_version, timestamp, metadata, client_id)"
                + " VALUES (?::pg_lsn, ?::pg_lsn, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?::timestamptz, ?::jsonb, ?)"
                + " ON CONFLICT DO NOTHING";
    }

    /**
     * Deletes rows older than the retention, but none at or after the position the slowest
     * registered client has acknowledged.
     */
    static String pruneSql(String schema) {
        return "DELETE FROM " + schema + ".change_history WHERE recorded_at < now() - ?::interval"
                + " AND lsn < coalesce((SELECT min(acknowledged_lsn) FROM " + schema + ".client_positions),"
                + " 'FFFFFFFF/FFFFFFFF'::pg_lsn)";
    }
}
