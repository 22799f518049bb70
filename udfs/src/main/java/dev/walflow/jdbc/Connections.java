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
}
