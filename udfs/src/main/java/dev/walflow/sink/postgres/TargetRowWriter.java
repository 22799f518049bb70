package dev.walflow.sink.postgres;

import dev.walflow.schema.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * Writes whole rows into one target table with the sink's own statements (the same upsert and
 * delete by key, values bound as text and cast), outside the sink's transactions: it never
 * touches {@code walflow.progress}. The verifier's repair uses it.
 */
public final class TargetRowWriter {

    private final TableStatements statements;

    /** @param target the table as the target database defines it */
    public TargetRowWriter(TableInfo target) {
        this.statements = new TableStatements(target);
    }

    /** Inserts the row, or overwrites the row with the same primary key. */
    public void upsert(Connection c, String[] columns, String[] values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(statements.upsert(Arrays.asList(columns)))) {
            for (int i = 0; i < values.length; i++) {
                ps.setString(i + 1, values[i]);
            }
            ps.executeUpdate();
        }
    }

    /**
     * Deletes the row with this primary key, given as the values of {@code keyColumns}: a target
     * created before walflow ran may order its key columns differently from the source.
     */
    public void delete(Connection c, List<String> keyColumns, List<String> key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(statements.deleteByKey())) {
            TableApplier.bindKey(ps, 1, statements.target(), keyColumns, key);
            ps.executeUpdate();
        }
    }
}
