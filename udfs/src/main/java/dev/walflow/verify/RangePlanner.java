package dev.walflow.verify;

import dev.walflow.schema.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts each table's primary-key space into ranges of about {@code rangeRows} source rows, the
 * units the verify job spreads over its subtasks. The bounds are every {@code rangeRows}-th key
 * of the source in key order (one pass over the key index); a table the statistics put under
 * {@code rangeRows} rows is one range.
 */
public final class RangePlanner {

    private final Connection source;
    private final long rangeRows;

    public RangePlanner(Connection source, long rangeRows) {
        this.source = source;
        this.rangeRows = rangeRows;
    }

    public List<KeyRange> plan(TableInfo table) throws SQLException {
        String name = table.id().eventName();
        List<KeyRange> ranges = new ArrayList<>();
        if (estimatedRows(table) <= rangeRows) {
            ranges.add(new KeyRange(name, null, null));
            return ranges;
        }
        TableSql sql = new TableSql(table);
        KeyRange all = new KeyRange(name, null, null);
        String[] lower = null;
        try (PreparedStatement ps = source.prepareStatement(sql.splitKeys(all, rangeRows))) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String[] bound = new String[sql.keySize()];
                    for (int i = 0; i < bound.length; i++) {
                        bound[i] = rs.getString(i + 1);
                    }
                    ranges.add(new KeyRange(name, lower, bound));
                    lower = bound;
                }
            }
        }
        ranges.add(new KeyRange(name, lower, null));
        return ranges;
    }

    private long estimatedRows(TableInfo table) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement("SELECT reltuples::bigint FROM pg_class WHERE oid = ?::regclass")) {
            ps.setString(1, table.id().quoted());
            try (ResultSet rs = ps.executeQuery()) {
                long estimate = rs.next() ? rs.getLong(1) : -1;
                if (estimate > 0) {
                    return estimate;
                }
            }
        }
        try (PreparedStatement ps = source.prepareStatement("SELECT count(*) FROM " + table.id().quoted())) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
