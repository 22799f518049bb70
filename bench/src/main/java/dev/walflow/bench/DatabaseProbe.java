package dev.walflow.bench;

import dev.walflow.jdbc.Connections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One connection for the progress queries, opened on first use and again after a failure, so a
 * database that restarts or is briefly unreachable costs a missing figure, not the run.
 */
final class DatabaseProbe implements AutoCloseable {

    private final String url;
    private final Properties properties = new Properties();
    private Connection connection;

    DatabaseProbe(String url, String user, String password) {
        this.url = url;
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "10");
        properties.setProperty("ApplicationName", "walflow-local-progress");
    }

    /** The first column of the first row as a long; null for NULL or no row. */
    synchronized Long queryLong(String sql, String... parameters) throws SQLException {
        try {
            if (connection == null) {
                connection = Connections.open(url, properties);
            }
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    ps.setString(i + 1, parameters[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    long value = rs.getLong(1);
                    return rs.wasNull() ? null : value;
                }
            }
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // The connection is being dropped either way.
            }
            connection = null;
        }
    }
}
