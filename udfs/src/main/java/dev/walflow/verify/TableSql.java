package dev.walflow.verify;

import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;

import java.util.List;

/**
 * SQL text with which the verifier reads one table, the same on the source and on a PostgreSQL
 * target. A row's canonical form is its record text, {@code ROW(c1, c2, ...)::text}, with the
 * columns in the source's order and named, so a target whose columns sit in another order still
 * compares. {@code timetz} is taken as the instant it denotes (the CDC decoder normalises its
 * offset to UTC). Sessions on both sides use the same TimeZone, DateStyle, IntervalStyle and
 * extra_float_digits ({@link VerifySettings#sessionOptions()}), so the text forms agree.
 */
public final class TableSql {

    private final TableInfo table;
    private final String rowText;
    private final String rowHash;
    private final String keyColumns;
    private final String keyText;

    /** A table checksummed over its canonical text (works on every server and type). */
    public TableSql(TableInfo table) {
        this(table, false);
    }

    /**
     * @param valueHash checksum with {@code hash_record_extended} over the values (PostgreSQL
     *     14+, every column type hashable), about three times cheaper than hashing the text
     */
    public TableSql(TableInfo table, boolean valueHash) {
        this.table = table;
        StringBuilder row = new StringBuilder("ROW(");
        for (int i = 0; i < table.columns().size(); i++) {
            ColumnInfo c = table.columns().get(i);
            row.append(i > 0 ? ", " : "");
            row.append(value(c));
        }
        // A one-column record still prints in parentheses, so one form serves every table.
        this.rowText = row.append(")::text").toString();
        this.rowHash = valueHash ? "hash_record_extended(" + valueRow() + ", 0)" : "hashtextextended(" + rowText + ", 0)";
        StringBuilder keys = new StringBuilder();
        StringBuilder keysText = new StringBuilder();
        for (int i = 0; i < table.primaryKey().size(); i++) {
            String k = TableId.quote(table.primaryKey().get(i));
            keys.append(i > 0 ? ", " : "").append(k);
            keysText.append(i > 0 ? ", " : "").append(k).append("::text");
        }
        this.keyColumns = keys.toString();
        this.keyText = keysText.toString();
    }

    public TableInfo table() {
        return table;
    }

    public int keySize() {
        return table.primaryKey().size();
    }

    /** Row count and an order-independent checksum (sum of 64-bit hashes) of a key range. */
    public String checksum(KeyRange range) {
        return "SELECT count(*), coalesce(sum(" + rowHash + "), 0)::text FROM " + table.id().quoted() + where(range);
    }

    /** Fails on a server or table where {@link #TableSql(TableInfo, boolean) value hashing} cannot run. */
    public String probeValueHash() {
        return "SELECT hash_record_extended(" + valueRow() + ", 0) FROM " + table.id().quoted() + " LIMIT 1";
    }

    /**
     * The row as a record of values for hashing by type: types without equality (json, point)
     * have no hash function and go as text, {@code timetz} as its instant.
     */
    private String valueRow() {
        StringBuilder row = new StringBuilder("ROW(");
        for (int i = 0; i < table.columns().size(); i++) {
            ColumnInfo c = table.columns().get(i);
            row.append(i > 0 ? ", " : "").append(value(c)).append(c.hasEquality() ? "" : "::text");
        }
        return row.append(')').toString();
    }

    /**
     * Every {@code step}-th key of a range in key order: the bounds of sub-ranges of about
     * {@code step} rows each. Ordered by the row number: an ORDER BY the key's name would sort
     * the text outputs of the same name.
     */
    public String splitKeys(KeyRange range, long step) {
        return "SELECT " + keyText + " FROM (SELECT " + keyColumns + ", row_number() OVER (ORDER BY " + keyColumns
                + ") AS walflow_rn FROM " + table.id().quoted() + where(range) + ") s WHERE walflow_rn % " + step
                + " = 0 ORDER BY walflow_rn";
    }

    /** Keys as text, then the row's canonical text, for every row of a range. */
    public String rows(KeyRange range) {
        return "SELECT " + keyText + ", " + rowText + " FROM " + table.id().quoted() + where(range);
    }

    /** The canonical text of the row with the bound key ({@code ?} per key column). */
    public String rowByKey() {
        return "SELECT " + rowText + " FROM " + table.id().quoted() + " WHERE " + keyEquals();
    }

    /**
     * Every column as text, then the canonical text, of the row with the bound key, locking it
     * against change until the transaction ends.
     */
    public String lockRow() {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (ColumnInfo c : table.columns()) {
            sql.append(TableId.quote(c.name())).append("::text, ");
        }
        return sql.append(rowText).append(" FROM ").append(table.id().quoted()).append(" WHERE ").append(keyEquals())
                .append(" FOR SHARE").toString();
    }

    /** The table as a jsonb object of text values, as change_history's {@code data} holds it. */
    public String historyImage() {
        StringBuilder sql = new StringBuilder("jsonb_build_object(");
        for (int i = 0; i < table.columns().size(); i++) {
            ColumnInfo c = table.columns().get(i);
            sql.append(i > 0 ? ", " : "").append(literal(c.name())).append(", ").append(value(c)).append("::text");
        }
        return sql.append(')').toString();
    }

    /** Keys as text and the row's history image for every row of a range. */
    public String historyImages(KeyRange range) {
        return "SELECT " + keyText + ", " + historyImage() + "::text FROM " + table.id().quoted() + where(range);
    }

    private String keyEquals() {
        StringBuilder sql = new StringBuilder();
        List<String> key = table.primaryKey();
        for (int i = 0; i < key.size(); i++) {
            sql.append(i > 0 ? " AND " : "").append(TableId.quote(key.get(i))).append(" = ?::")
                    .append(table.column(key.get(i)).castType());
        }
        return sql.toString();
    }

    /**
     * The range's condition: lower bound inclusive, upper exclusive, as row comparisons so a
     * composite primary key's index serves them. Bounds are bound as text parameters, lower
     * first ({@link #bind}).
     */
    String where(KeyRange range) {
        if (range.lower == null && range.upper == null) {
            return "";
        }
        StringBuilder sql = new StringBuilder(" WHERE ");
        if (range.lower != null) {
            sql.append(tuple(false)).append(" >= ").append(tuple(true));
        }
        if (range.upper != null) {
            sql.append(range.lower != null ? " AND " : "").append(tuple(false)).append(" < ").append(tuple(true));
        }
        return sql.toString();
    }

    /** Binds a range's bounds, in the order {@link #where} uses them, from parameter 1. */
    public static int bind(java.sql.PreparedStatement ps, KeyRange range) throws java.sql.SQLException {
        int p = 1;
        for (String[] bound : new String[][] {range.lower, range.upper}) {
            if (bound != null) {
                for (String v : bound) {
                    ps.setString(p++, v);
                }
            }
        }
        return p;
    }

    private String tuple(boolean parameters) {
        List<String> key = table.primaryKey();
        StringBuilder sql = new StringBuilder(key.size() > 1 ? "(" : "");
        for (int i = 0; i < key.size(); i++) {
            sql.append(i > 0 ? ", " : "");
            if (parameters) {
                sql.append("?::").append(table.column(key.get(i)).castType());
            } else {
                sql.append(TableId.quote(key.get(i)));
            }
        }
        return sql.append(key.size() > 1 ? ")" : "").toString();
    }

    /** A column as compared: {@code timetz} as its instant in UTC. */
    private static String value(ColumnInfo c) {
        String name = TableId.quote(c.name());
        return c.typeName().equals("timetz") ? "(" + name + " AT TIME ZONE 'UTC')" : name;
    }

    /** The history image of the row with the bound key. */
    public String historyImageByKey() {
        return "SELECT " + historyImage() + "::text FROM " + table.id().quoted() + " WHERE " + keyEquals();
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
