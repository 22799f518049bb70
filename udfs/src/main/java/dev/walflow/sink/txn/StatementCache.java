package dev.walflow.sink.txn;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** Prepared statements of one connection, reused across batches; dropped with the connection. */
public final class StatementCache implements AutoCloseable {

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    public StatementCache(Connection connection) {
        this.connection = connection;
    }

    /** The connection the statements belong to (for what is not a prepared statement, such as COPY). */
    public Connection connection() {
        return connection;
    }

    public PreparedStatement get(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    @Override
    public void close() {
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // the connection is being dropped anyway
            }
        }
        statements.clear();
    }
}
