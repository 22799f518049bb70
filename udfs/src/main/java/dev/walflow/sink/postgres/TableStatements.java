package dev.walflow.sink.postgres;

import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;

import java.util.List;

/** SQL text for writing changes into one target table; every value is bound as text and cast. */
final class TableStatements {

    private final TableInfo target;

    TableStatements(TableInfo target) {
        this.target = target;
    }

    TableInfo target() {
        return target;
    }

    ColumnInfo column(String name) {
        ColumnInfo c = target.column(name);
        if (c == null) {
            throw new IllegalStateException(
                    "Target table " + target.id() + " has no column " + TableId.quote(name)
                            + "; add it to the target (the source has it)");
        }
        return c;
    }

    /** INSERT of whole rows that overwrites the row with the same primary key. */
    String upsert(List<String> columns) {
        return onConflictUpdate(insertPrefix(columns), columns);
    }

    /**
     * The same upsert for many rows in one statement: parameter {@code i} is a {@code text[]}
     * holding column {@code i} of every row, and each element is cast to the column's type as
     * {@link #upsert} casts its bound text. The rows' keys must be distinct.
     */
    String bulkUpsert(List<String> columns) {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(target.id().quoted()).append(" (");
        appendNames(sql, columns, ", ");
        sql.append(") ");
        return onConflictUpdate(appendUnnest(sql, columns), columns);
    }

    /**
     * {@code SELECT} of the rows given as one {@code text[]} parameter per column, each element
     * cast to its column's type.
     */
    private StringBuilder appendUnnest(StringBuilder sql, List<String> columns) {
        sql.append("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i > 0 ? ", " : "").append("u.v").append(i).append("::").append(column(columns.get(i)).castType());
        }
        sql.append(" FROM unnest(");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i > 0 ? ", " : "").append("?::text[]");
        }
        sql.append(") AS u(");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i > 0 ? ", " : "").append('v').append(i);
        }
        return sql.append(')');
    }

    /**
     * Whether text cast to this column's type gives what an untyped parameter cast to it gives
     * (the type's input function). Not for {@code "char"} (a cast from text takes the first
     * byte, its input reads an octal escape) and the {@code reg*} types (a cast from text
     * takes no numeric OID).
     */
    boolean castsTextLikeInput(String column) {
        ColumnInfo c = column(column);
        String type = c.castType().replace("\"", "").toLowerCase(java.util.Locale.ROOT);
        String bare = type.substring(type.lastIndexOf('.') + 1);
        return !(bare.equals("char") || bare.startsWith("reg") || c.typeName().equals("char")
                || c.typeName().startsWith("reg"));
    }

    private String onConflictUpdate(StringBuilder sql, List<String> columns) {
        sql.append(" ON CONFLICT (");
        appendNames(sql, target.primaryKey(), ", ");
        sql.append(") DO ");
        boolean anyNonKey = false;
        StringBuilder set = new StringBuilder("UPDATE SET ");
        for (String c : columns) {
            if (target.primaryKey().contains(c)) {
                continue;
            }
            if (anyNonKey) {
                set.append(", ");
            }
            set.append(TableId.quote(c)).append(" = EXCLUDED.").append(TableId.quote(c));
            anyNonKey = true;
        }
        return sql.append(anyNonKey ? set : "NOTHING").toString();
    }

    /** {@code COPY target (columns) FROM STDIN}, text format: each value goes through its type's input function. */
    String copyIn(List<String> columns) {
        StringBuilder sql = new StringBuilder("COPY ").append(target.id().quoted()).append(" (");
        appendNames(sql, columns, ", ");
        return sql.append(") FROM STDIN").toString();
    }

    /**
     * Whether any of many primary keys is in the table: parameter {@code k} is a {@code text[]}
     * holding key column {@code k} (in the target's key order) of every row, each element cast
     * as {@link #bulkUpsert} casts it. Returns one row if so, none otherwise.
     */
    String anyKeyPresent() {
        List<String> key = target.primaryKey();
        StringBuilder sql = new StringBuilder("SELECT 1 FROM ").append(target.id().quoted()).append(" WHERE (");
        appendNames(sql, key, ", ");
        sql.append(") IN (");
        return appendUnnest(sql, key).append(") LIMIT 1").toString();
    }

    /** One row if the table has any. */
    String anyRow() {
        return "SELECT 1 FROM " + target.id().quoted() + " LIMIT 1";
    }

    /** Plain INSERT, for key-less tables. */
    String insert(List<String> columns) {
        return insertPrefix(columns).toString();
    }

    /** UPDATE of some columns of the row with the given primary key (unchanged TOAST left out). */
    String updateByKey(List<String> setColumns) {
        StringBuilder sql = new StringBuilder("UPDATE ").append(target.id().quoted()).append(" SET ");
        for (int i = 0; i < setColumns.size(); i++) {
            String c = setColumns.get(i);
            sql.append(i > 0 ? ", " : "").append(TableId.quote(c)).append(" = ?::").append(column(c).castType());
        }
        return sql.append(" WHERE ").append(keyMatch()).toString();
    }

    String deleteByKey() {
        return "DELETE FROM " + target.id().quoted() + " WHERE " + keyMatch();
    }

    /** Deletes one row equal in every column to the bound values (duplicates stay). */
    String deleteOneMatching(List<String> columns) {
        return "DELETE FROM " + target.id().quoted() + " WHERE ctid = (" + oneMatching(columns) + ")";
    }

    /** Updates one row equal in every column to the second half of the bound values. */
    String updateOneMatching(List<String> setColumns, List<String> matchColumns) {
        StringBuilder sql = new StringBuilder("UPDATE ").append(target.id().quoted()).append(" SET ");
        for (int i = 0; i < setColumns.size(); i++) {
            String c = setColumns.get(i);
            sql.append(i > 0 ? ", " : "").append(TableId.quote(c)).append(" = ?::").append(column(c).castType());
        }
        return sql.append(" WHERE ctid = (").append(oneMatching(matchColumns)).append(')').toString();
    }

    String truncate() {
        return "TRUNCATE TABLE " + target.id().quoted();
    }

    String selectKeys() {
        StringBuilder sql = new StringBuilder("SELECT ");
        appendNames(sql, target.primaryKey(), ", ");
        return sql.append(" FROM ").append(target.id().quoted()).toString();
    }

    private String oneMatching(List<String> columns) {
        StringBuilder sql =
                new StringBuilder("SELECT ctid FROM ").append(target.id().quoted()).append(" WHERE ");
        for (int i = 0; i < columns.size(); i++) {
            ColumnInfo c = column(columns.get(i));
            if (i > 0) {
                sql.append(" AND ");
            }
            if (c.hasEquality()) {
                sql.append(TableId.quote(c.name())).append(" IS NOT DISTINCT FROM ?::").append(c.castType());
            } else {
                // json and the like have no '=': compare their text.
                sql.append(TableId.quote(c.name())).append("::text IS NOT DISTINCT FROM (?::")
                        .append(c.castType()).append(")::text");
            }
        }
        return sql.append(" LIMIT 1").toString();
    }

    private String keyMatch() {
        StringBuilder sql = new StringBuilder();
        List<String> key = target.primaryKey();
        for (int i = 0; i < key.size(); i++) {
            if (i > 0) {
                sql.append(" AND ");
            }
            sql.append(TableId.quote(key.get(i))).append(" = ?::").append(column(key.get(i)).castType());
        }
        return sql.toString();
    }

    private StringBuilder insertPrefix(List<String> columns) {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(target.id().quoted()).append(" (");
        appendNames(sql, columns, ", ");
        sql.append(") VALUES (");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i > 0 ? ", " : "").append("?::").append(column(columns.get(i)).castType());
        }
        return sql.append(')');
    }

    private static void appendNames(StringBuilder sql, List<String> names, String separator) {
        for (int i = 0; i < names.size(); i++) {
            sql.append(i > 0 ? separator : "").append(TableId.quote(names.get(i)));
        }
    }
}
