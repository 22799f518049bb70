package dev.walflow.verify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares one key range of a table between the source and a PostgreSQL target without moving
 * rows: each side computes the count and checksum of the range itself; a range that differs is
 * split into {@link VerifySettings#FAN_OUT} parts, down to ranges of at most {@link
 * VerifySettings#LEAF_ROWS} rows, whose rows alone are read and compared by key.
 */
final class RangeComparer {

    private final Connection source;
    private final Connection target;
    private final TableSql sql;

    RangeComparer(Connection source, Connection target, TableSql sql) {
        this.source = source;
        this.target = target;
        this.sql = sql;
    }

    /** Count and checksum of a range on one side. */
    static final class Checksum {
        final long count;
        final String sum;

        Checksum(long count, String sum) {
            this.count = count;
            this.sum = sum;
        }

        boolean matches(Checksum other) {
            return count == other.count && sum.equals(other.sum);
        }
    }

    /** The rows of {@code range} that differ at this moment; {@code scanned} gets the source's count. */
    List<RowDiff> differences(KeyRange range, long[] scanned) throws SQLException {
        Checksum s = checksum(source, range);
        Checksum t = checksum(target, range);
        scanned[0] += s.count;
        List<RowDiff> out = new ArrayList<>();
        collect(range, s, t, out);
        return out;
    }

    private void collect(KeyRange range, Checksum s, Checksum t, List<RowDiff> out) throws SQLException {
        if (s.matches(t)) {
            return;
        }
        long larger = Math.max(s.count, t.count);
        if (larger <= VerifySettings.LEAF_ROWS) {
            out.addAll(diffRows(range));
            return;
        }
        Connection splitter = s.count >= t.count ? source : target;
        long step = (larger + VerifySettings.FAN_OUT - 1) / VerifySettings.FAN_OUT;
        List<String[]> bounds = splitKeys(splitter, range, step);
        String[] lower = range.lower;
        for (int i = 0; i <= bounds.size(); i++) {
            String[] upper = i < bounds.size() ? bounds.get(i) : range.upper;
            if (lower != null && upper != null && Arrays.equals(lower, upper)) {
                continue;
            }
            KeyRange part = new KeyRange(range.table, lower, upper);
            collect(part, checksum(source, part), checksum(target, part), out);
            lower = upper;
        }
    }

    Checksum checksum(Connection c, KeyRange range) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.checksum(range))) {
            TableSql.bind(ps, range);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Checksum(rs.getLong(1), rs.getString(2));
            }
        }
    }

    private List<String[]> splitKeys(Connection c, KeyRange range, long step) throws SQLException {
        List<String[]> keys = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql.splitKeys(range, step))) {
            TableSql.bind(ps, range);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(key(rs));
                }
            }
        }
        return keys;
    }

    private List<RowDiff> diffRows(KeyRange range) throws SQLException {
        Map<List<String>, String> sourceRows = rows(source, range);
        Map<List<String>, String> targetRows = rows(target, range);
        Set<List<String>> keys = new HashSet<>(sourceRows.keySet());
        keys.addAll(targetRows.keySet());
        List<RowDiff> out = new ArrayList<>();
        for (List<String> key : keys) {
            RowDiff d = new RowDiff(key, sourceRows.get(key), targetRows.get(key));
            if (d.differs()) {
                out.add(d);
            }
        }
        return out;
    }

    private Map<List<String>, String> rows(Connection c, KeyRange range) throws SQLException {
        Map<List<String>, String> rows = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql.rows(range))) {
            TableSql.bind(ps, range);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.put(Collections.unmodifiableList(Arrays.asList(key(rs))), rs.getString(sql.keySize() + 1));
                }
            }
        }
        return rows;
    }

    /** The row's canonical text on one side now, or null. */
    String row(Connection c, List<String> key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.rowByKey())) {
            for (int i = 0; i < key.size(); i++) {
                ps.setString(i + 1, key.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * The same row, read again: the target first, so that a source value equal to the one read
     * before the target caught up proves the source held it all along, and a target that differs
     * from it is wrong rather than ahead.
     */
    RowDiff reread(List<String> key) throws SQLException {
        String targetRow = row(target, key);
        return new RowDiff(key, row(source, key), targetRow);
    }

    private String[] key(ResultSet rs) throws SQLException {
        String[] key = new String[sql.keySize()];
        for (int i = 0; i < key.length; i++) {
            key[i] = rs.getString(i + 1);
        }
        return key;
    }
}
