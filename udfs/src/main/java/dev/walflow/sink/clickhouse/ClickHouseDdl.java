package dev.walflow.sink.clickhouse;

import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * ClickHouse statements for a captured table: a {@code ReplacingMergeTree(_version, _deleted)}
 * ordered by the primary key, and a {@code <table>_live} view of the live rows. On a cluster
 * the rows go into {@code <table>_local} (ReplicatedReplacingMergeTree) on every node, and
 * {@code <table>} is a Distributed table over them, sharded by the key so that all versions of
 * a row meet on one shard (which {@code FINAL} needs).
 */
public final class ClickHouseDdl {

    /** Version column: the change's WAL position (0 for snapshot rows). */
    public static final String VERSION = "_version";
    /** 1 on the version that deletes the row. */
    public static final String DELETED = "_deleted";

    private ClickHouseDdl() {}

    /** {@code orders} for {@code public.orders}, {@code sales__orders} for {@code sales.orders}. */
    public static String tableName(TableId id) {
        return id.schema().equals("public") ? id.name() : id.schema() + "__" + id.name();
    }

    public static String quote(String identifier) {
        return "`" + identifier.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }

    private static String literal(String value) {
        StringBuilder sb = new StringBuilder();
        ClickHouseLiterals.appendString(sb, value);
        return sb.toString();
    }

    /** A table name as one ZooKeeper path element: no '/', and no '{' that would start a macro. */
    private static String zooKeeperName(String table) {
        return table.replace("%", "%25").replace("/", "%2F").replace("{", "%7B").replace("}", "%7D");
    }

    static String qualified(ClickHouseConfig c, String table) {
        return quote(c.database()) + "." + quote(table);
    }

    private static String onCluster(ClickHouseConfig c) {
        return c.cluster() == null ? "" : " ON CLUSTER " + quote(c.cluster());
    }

    /** The table rows are inserted into and read from (the Distributed one on a cluster). */
    static String target(ClickHouseConfig c, TableId id) {
        return qualified(c, tableName(id));
    }

    /** The table that stores the rows (where mutations run). */
    static String storage(ClickHouseConfig c, TableId id) {
        return qualified(c, tableName(id) + (c.cluster() == null ? "" : "_local"));
    }

    public static String createDatabase(ClickHouseConfig c) {
        return "CREATE DATABASE IF NOT EXISTS " + quote(c.database()) + onCluster(c);
    }

    /** The statements that create the table (and on a cluster its Distributed table) and view. */
    public static List<String> create(ClickHouseConfig c, TableInfo table) {
        List<String> sql = new ArrayList<>();
        StringBuilder columns = new StringBuilder();
        for (ColumnInfo column : table.columns()) {
            columns.append(quote(column.name())).append(' ')
                    .append(ClickHouseType.of(column, table.primaryKey().contains(column.name()))
                            .ddl(column.notNull(), table.primaryKey().contains(column.name())))
                    .append(", ");
        }
        columns.append(quote(VERSION)).append(" UInt64, ").append(quote(DELETED)).append(" UInt8");
        StringBuilder key = new StringBuilder();
        for (String k : table.primaryKey()) {
            key.append(key.length() == 0 ? "" : ", ").append(quote(k));
        }
        String name = tableName(table.id());
        if (c.cluster() == null) {
            sql.add("CREATE TABLE IF NOT EXISTS " + qualified(c, name) + " (" + columns + ")"
                    + " ENGINE = ReplacingMergeTree(" + VERSION + ", " + DELETED + ")"
                    + " ORDER BY (" + key + ")"
                    + " SETTINGS non_replicated_deduplication_window = " + c.dedupWindow());
        } else {
            String local = name + "_local";
            sql.add("CREATE TABLE IF NOT EXISTS " + qualified(c, local) + onCluster(c) + " (" + columns + ")"
                    + " ENGINE = ReplicatedReplacingMergeTree(" + literal("/clickhouse/tables/{shard}/{database}/" + zooKeeperName(local))
                    + ", '{replica}', " + VERSION + ", " + DELETED + ")"
                    + " ORDER BY (" + key + ")"
                    + " SETTINGS replicated_deduplication_window = " + c.dedupWindow());
            sql.add("CREATE TABLE IF NOT EXISTS " + qualified(c, name) + onCluster(c) + " AS " + qualified(c, local)
                    + " ENGINE = Distributed(" + quote(c.cluster()) + ", " + quote(c.database()) + ", " + quote(local)
                    + ", cityHash64(" + key + "))");
        }
        sql.add(liveView(c, name, "CREATE VIEW IF NOT EXISTS "));
        return sql;
    }

    /** The view of live rows; {@code *} is expanded when the view is made, so new columns remake it. */
    private static String liveView(ClickHouseConfig c, String name, String create) {
        return create + qualified(c, name + "_live") + onCluster(c)
                + " AS SELECT * EXCEPT (" + quote(VERSION) + ", " + quote(DELETED) + ") FROM " + qualified(c, name)
                + " FINAL WHERE " + quote(DELETED) + " = 0";
    }

    /**
     * Adds a column the source gained, after {@code after} (the column before it at the source),
     * to the storage table and (on a cluster) the Distributed one, and remakes the view.
     */
    static List<String> addColumn(ClickHouseConfig c, TableId id, ColumnInfo column, boolean key, String after) {
        String definition = quote(column.name()) + " " + ClickHouseType.of(column, key).ddl(column.notNull(), key)
                + (after == null ? " FIRST" : " AFTER " + quote(after));
        List<String> sql = new ArrayList<>();
        sql.add("ALTER TABLE " + storage(c, id) + onCluster(c) + " ADD COLUMN IF NOT EXISTS " + definition);
        if (c.cluster() != null) {
            sql.add("ALTER TABLE " + target(c, id) + onCluster(c) + " ADD COLUMN IF NOT EXISTS " + definition);
        }
        sql.add(liveView(c, tableName(id), "CREATE OR REPLACE VIEW "));
        return sql;
    }

    /** Removes the rows a TRUNCATE at {@code version} removed: every older version. */
    static String truncate(ClickHouseConfig c, TableId id, long version) {
        return "DELETE FROM " + storage(c, id) + onCluster(c) + " WHERE " + quote(VERSION) + " < " + version;
    }
}
