package dev.walflow.verify;

import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Cuts each table's primary-key space into ranges of about {@code rangeRows} source rows, the
 * units the verify job spreads over its subtasks. The bounds are every {@code rangeRows}-th key
 * of the source in key order (one pass over the key index), or for a single integer key equal
 * slices of its span; a table the statistics put under {@code rangeRows} rows is one range.
 */
public final class RangePlanner {

    private static final Set<String> INTEGER_TYPES = Set.of("int2", "int4", "int8");

    private final Connection source;
    private final long rangeRows;

    public RangePlanner(Connection source, long rangeRows) {
        this.source = source;
        this.rangeRows = rangeRows;
    }

    /**
     * Whether the table's key is one integer column, whose ranges are split evenly between its
     * minimum and maximum (and whose bounds are therefore numbers).
     */
    static boolean hasIntegerKey(TableInfo table) {
        return table.primaryKey().size() == 1
                && INTEGER_TYPES.contains(table.column(table.primaryKey().get(0)).typeName());
    }

    public List<KeyRange> plan(TableInfo table) throws SQLException {
        String name = table.id().eventName();
        List<KeyRange> ranges = new ArrayList<>();
        // The estimate falls back to count(*) on a table never analysed: read it once.
        long rows = estimatedRows(table);
        if (rows <= rangeRows) {
            ranges.add(new KeyRange(name, null, null));
            return ranges;
        }
        if (hasIntegerKey(table)) {
            return evenSplit(table, (rows + rangeRows - 1) / rangeRows);
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

    /**
     * An integer key's span cut into equal parts from its minimum and maximum (two index
     * probes): no pass over the keys, at the price of uneven ranges where keys are sparse.
     */
    private List<KeyRange> evenSplit(TableInfo table, long parts) throws SQLException {
        String key = TableId.quote(table.primaryKey().get(0));
        String name = table.id().eventName();
        List<KeyRange> ranges = new ArrayList<>();
        try (PreparedStatement ps = source.prepareStatement(
                "SELECT min(" + key + ")::numeric, max(" + key + ")::numeric FROM " + table.id().quoted())) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                BigDecimal min = rs.getBigDecimal(1);
                BigDecimal max = rs.getBigDecimal(2);
                if (min == null) {
                    ranges.add(new KeyRange(name, null, null));
                    return ranges;
                }
                BigInteger lo = min.toBigInteger();
                BigInteger span = max.toBigInteger().subtract(lo).add(BigInteger.ONE);
                String[] lower = null;
                BigInteger previous = null;
                for (long i = 1; i < parts; i++) {
                    BigInteger bound = lo.add(span.multiply(BigInteger.valueOf(i))
                            .divide(BigInteger.valueOf(parts)));
                    if (bound.equals(previous)) {
                        continue;
                    }
                    previous = bound;
                    String[] upper = {bound.toString()};
                    ranges.add(new KeyRange(name, lower, upper));
                    lower = upper;
                }
                ranges.add(new KeyRange(name, lower, null));
            }
        }
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
