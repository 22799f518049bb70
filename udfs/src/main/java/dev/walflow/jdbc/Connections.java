package dev.walflow.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** Helpers for the connections walflow's functions and sinks keep open between calls. */
public final class Connections {

    private Connections() {}

    /** Closes a connection being discarded (a failed one may not close cleanly); null is fine. */
    public static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // The connection is discarded either way.
        }
    }

    /** A JDBC URL as it may appear in logs and errors: without its parameters, which can hold a password. */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }
}
