package dev.walflow.verify;

import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import dev.walflow.sink.clickhouse.ClickHouseDdl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Compares the key sets of a table's source and its ClickHouse copy ({@code <table>_live}: the
 * newest version of each row, deleted ones hidden). PostgreSQL and ClickHouse print values
 * differently, so there is no common canonical row text to checksum in both; what both can
 * compute alike is the key's text: each side sums the first 32 bits of the MD5 of every key's
 * text and counts its rows, and only where those differ are the keys read and compared.
 * Values are not compared.
 *
 * <p>A single integer key is compared per key range (both databases order integers alike); any
 * other key once for the whole table (by the range with no lower bound), since ClickHouse orders
 * strings by bytes and PostgreSQL by collation. A key that differs is looked at again once the
 * slot has passed the source's WAL position and a moment more (ClickHouse inserts a checkpoint's
 * rows as the checkpoint completes, beside the PostgreSQL commit that moves the slot).
 */
final class ClickHouseKeyChecker {

    private static final Set<String> INTEGER_TYPES = Set.of("int2", "int4", "int8");
    private static final long GRACE_MILLIS = 1000;

    private final Connection source;
    private final Connection clickHouse;
    private final TableInfo table;
    private final String live;
    private final TargetCatchUp slot;
    private final Duration timeout;
    private final boolean ranged;

    ClickHouseKeyChecker(Connection source, Connection clickHouse, String database, TableInfo table,
            TargetCatchUp slot, Duration timeout) {
        this.source = source;
        this.clickHouse = clickHouse;
        this.table = table;
        this.live = ClickHouseDdl.quote(database) + "." + ClickHouseDdl.quote(ClickHouseDdl.tableName(table.id()) + "_live");
        this.slot = slot;
        this.timeout = timeout;
        this.ranged = table.primaryKey().size() == 1
                && INTEGER_TYPES.contains(table.column(table.primaryKey().get(0)).typeName());
    }

    void check(KeyRange range, RangeResult result, int maxRows) throws SQLException, InterruptedException {
        if (!ranged && range.lower != null) {
            return;
        }
        String pgWhere = ranged ? new TableSql(table).where(range) : "";
        KeyRange pgRange = ranged ? range : null;
        String chWhere = ranged ? chWhere(range) : "";
        String pgSum = "SELECT count(*)::text, coalesce(sum(('x' || substr(md5(" + pgKey() + "), 1, 8))::bit(32)::bigint), 0)::text FROM "
                + table.id().quoted() + pgWhere;
        String chSum = "SELECT toString(count()), toString(sum(reinterpretAsUInt32(reverse(substring(MD5(" + chKey()
                + "), 1, 4))))) FROM " + live + chWhere;
        if (first(source, pgSum, pgRange).equals(first(clickHouse, chSum, null))) {
            return;
        }
        Set<String> pgKeys = keys(source, "SELECT " + pgKey() + " FROM " + table.id().quoted() + pgWhere, pgRange);
        Set<String> chKeys = keys(clickHouse, "SELECT " + chKey() + " FROM " + live + chWhere, null);
        Set<String> missing = difference(pgKeys, chKeys);
        Set<String> extra = difference(chKeys, pgKeys);
        if (missing.isEmpty() && extra.isEmpty()) {
            return;
        }
        if (!slot.await(TargetCatchUp.sourcePosition(source), timeout)) {
            result.lagging += missing.size() + extra.size();
            return;
        }
        Thread.sleep(GRACE_MILLIS);
        Set<String> pgNow = keys(source, "SELECT " + pgKey() + " FROM " + table.id().quoted() + pgWhere, pgRange);
        Set<String> chNow = keys(clickHouse, "SELECT " + chKey() + " FROM " + live + chWhere, null);
        for (String key : missing) {
            if (pgNow.contains(key) && !chNow.contains(key)) {
                result.clickHouseMissing++;
                note(result, "clickhouse_missing", key, maxRows);
            } else if (pgNow.contains(key) != chNow.contains(key)) {
                result.unsettled++;
            } else {
                result.lagResolved++;
            }
        }
        for (String key : extra) {
            if (!pgNow.contains(key) && chNow.contains(key)) {
                result.clickHouseExtra++;
                note(result, "clickhouse_extra", key, maxRows);
            } else if (pgNow.contains(key) != chNow.contains(key)) {
                result.unsettled++;
            } else {
                result.lagResolved++;
            }
        }
    }

    private void note(RangeResult result, String kind, String key, int maxRows) {
        if (result.rows.size() < maxRows) {
            RangeResult.Row row = new RangeResult.Row();
            row.kind = kind;
            row.key = List.of(key.split("\u001f", -1));
            result.rows.add(row);
        }
    }

    /** The key's text in PostgreSQL: its values' text, joined by the unit separator. */
    private String pgKey() {
        List<String> parts = new ArrayList<>();
        for (String k : table.primaryKey()) {
            parts.add(TableId.quote(k) + "::text");
        }
        return parts.size() == 1 ? parts.get(0) : "concat_ws(chr(31), " + String.join(", ", parts) + ")";
    }

    /** The same text in ClickHouse, where key columns hold walflow's text or an integer or UUID. */
    private String chKey() {
        List<String> parts = new ArrayList<>();
        for (String k : table.primaryKey()) {
            parts.add("toString(" + ClickHouseDdl.quote(k) + ")");
        }
        return parts.size() == 1 ? parts.get(0) : "concat(" + String.join(", '\\x1F', ", parts) + ")";
    }

    /** The range as ClickHouse literals (the bounds are integers the planner made). */
    private String chWhere(KeyRange range) {
        ColumnInfo key = table.column(table.primaryKey().get(0));
        String column = ClickHouseDdl.quote(key.name());
        List<String> conditions = new ArrayList<>();
        if (range.lower != null) {
            conditions.add(column + " >= " + Long.parseLong(range.lower[0]));
        }
        if (range.upper != null) {
            conditions.add(column + " < " + Long.parseLong(range.upper[0]));
        }
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    private static List<String> first(Connection c, String sql, KeyRange range) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        read(c, sql, range, rs -> rows.add(List.of(rs.getString(1), rs.getString(2))));
        return rows.get(0);
    }

    private static Set<String> keys(Connection c, String sql, KeyRange range) throws SQLException {
        Set<String> keys = new HashSet<>();
        read(c, sql, range, rs -> keys.add(rs.getString(1)));
        return keys;
    }

    /** Reads each row of a result. */
    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    /** PostgreSQL binds the range's bounds; ClickHouse (range null) gets literal SQL. */
    private static void read(Connection c, String sql, KeyRange range, RowReader reader) throws SQLException {
        if (range != null) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                TableSql.bind(ps, range);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        reader.read(rs);
                    }
                }
            }
            return;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                reader.read(rs);
            }
        }
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.removeAll(b);
        return out;
    }
}
