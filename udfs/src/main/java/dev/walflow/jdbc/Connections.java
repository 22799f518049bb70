package dev.walflow.jdbc;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Opening and discarding the connections walflow's checks, functions and sinks use. */
public final class Connections {

    /**
     * The JDBC drivers of walflow's own class loader, found as {@code DriverManager} would find
     * them (META-INF/services/java.sql.Driver), once per class loader.
     *
     * <p>{@code DriverManager} is not used: it keeps the drivers of the first class loader that
     * loaded them and hands a driver only to callers that see the same class. On a Flink
     * session cluster every submission gets a new user-code class loader, so the second job
     * (a resume from a savepoint, say) failed with "No suitable driver found" in its start-up
     * checks on the JobManager.
     */
    private static final List<Driver> DRIVERS = loadDrivers();

    private Connections() {}

    /** Opens a connection with the first of walflow's drivers that accepts {@code url}. */
    public static Connection open(String url, Properties properties) throws SQLException {
        for (Driver driver : DRIVERS) {
            if (driver.acceptsURL(url)) {
                Connection connection = driver.connect(url, properties);
                if (connection != null) {
                    return connection;
                }
            }
        }
        throw new SQLException("No JDBC driver in the job jar accepts the URL " + redact(url), "08001");
    }

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

    private static List<Driver> loadDrivers() {
        List<Driver> drivers = new ArrayList<>();
        Iterator<Driver> found =
                ServiceLoader.load(Driver.class, Connections.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!found.hasNext()) {
                    return drivers;
                }
                drivers.add(found.next());
            } catch (ServiceConfigurationError e) {
                // A driver listed but not loadable here (a missing optional class): skip it.
            }
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
