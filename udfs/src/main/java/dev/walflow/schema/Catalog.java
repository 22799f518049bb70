package dev.walflow.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads table definitions from a PostgreSQL catalog. */
public final class Catalog {

    private Catalog() {}

    private static final String COLUMNS =
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
                    + " quote_ident(tn.nspname) || '.' || quote_ident(t.typname),"
                    + " t.typname, a.attnotnull,"
                    + " EXISTS (SELECT 1 FROM pg_operator o WHERE o.oprname = '='"
                    + "   AND o.oprleft = a.atttypid AND o.oprright = a.atttypid)"
                    + "   OR t.typcategory = 'A' AND t.typname NOT IN ('_json', '_xml', '_point'),"
                    + " c.relreplident, t.typlen = -1"
                    + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " JOIN pg_type t ON t.oid = a.atttypid"
                    + " JOIN pg_namespace tn ON tn.oid = t.typnamespace"
                    + " WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped"
                    + " AND c.relkind IN ('r', 'p') ORDER BY a.attnum";

    private static final String PRIMARY_KEY =
            "SELECT a.attname FROM pg_index i"
                    + " JOIN pg_class c ON c.oid = i.indrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true"
                    + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum"
                    + " WHERE n.nspname = ? AND c.relname = ? AND i.indisprimary ORDER BY k.ord";

    /** The table's definition, or empty when no such table exists. */
    public static Optional<TableInfo> read(Connection connection, TableId id) throws SQLException {
        List<ColumnInfo> columns = new ArrayList<>();
        TableInfo.ReplicaIdentity identity = TableInfo.ReplicaIdentity.DEFAULT;
        try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
            ps.setString(1, id.schema());
            ps.setString(2, id.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(
                            new ColumnInfo(
                                    rs.getString(1),
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getBoolean(5),
                                    rs.getBoolean(6),
                                    rs.getBoolean(8)));
                    identity = replicaIdentity(rs.getString(7));
                }
            }
        }
        if (columns.isEmpty()) {
            return Optional.empty();
        }
        List<String> primaryKey = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(PRIMARY_KEY)) {
            ps.setString(1, id.schema());
            ps.setString(2, id.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    primaryKey.add(rs.getString(1));
                }
            }
        }
        return Optional.of(new TableInfo(id, columns, primaryKey, identity));
    }

    /** Ordinary and partitioned tables of a schema, by name. */
    public static List<TableId> listTables(Connection connection, String schema)
            throws SQLException {
        List<TableId> tables = new ArrayList<>();
        try (PreparedStatement ps =
                connection.prepareStatement(
                        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
                                + " ORDER BY c.relname")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(new TableId(schema, rs.getString(1)));
                }
            }
        }
        return tables;
    }

    /** DDL creating a table with the same columns, types, NOT NULLs and primary key. */
    public static String createTableSql(TableInfo table) {
        StringBuilder sql =
                new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table.id().quoted()).append(" (");
        for (int i = 0; i < table.columns().size(); i++) {
            ColumnInfo c = table.columns().get(i);
            if (i > 0) {
                sql.append(", ");
            }
            sql.append(TableId.quote(c.name())).append(' ').append(c.declaredType());
            if (c.notNull()) {
                sql.append(" NOT NULL");
            }
        }
        if (!table.primaryKey().isEmpty()) {
            sql.append(", PRIMARY KEY (");
            for (int i = 0; i < table.primaryKey().size(); i++) {
                sql.append(i > 0 ? ", " : "").append(TableId.quote(table.primaryKey().get(i)));
            }
            sql.append(')');
        }
        return sql.append(')').toString();
    }

    private static TableInfo.ReplicaIdentity replicaIdentity(String code) {
        switch (code) {
            case "f":
                return TableInfo.ReplicaIdentity.FULL;
            case "i":
                return TableInfo.ReplicaIdentity.INDEX;
            case "n":
                return TableInfo.ReplicaIdentity.NOTHING;
            default:
                return TableInfo.ReplicaIdentity.DEFAULT;
        }
    }
}
