package dev.walflow.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * A PostgreSQL server from the zonky Maven artifact, configured for logical replication and
 * two-phase commit. Used by ITCases, the local run and the benchmarks, so none of them needs a
 * database installed by hand.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts a throwaway server on a free port (data in a temporary folder). */
    public static PostgresServer start() {
        return start(0, null);
    }

    /**
     * Starts a server.
     *
     * @param port the port, or 0 for a free one
     * @param dataDirectory where the cluster lives, or null for a temporary folder removed on
     *     close
     */
    public static PostgresServer start(int port, Path dataDirectory) {
        return start(port, dataDirectory, true);
    }

    /**
     * Starts a server.
     *
     * @param port the port, or 0 for a free one
     * @param dataDirectory where the cluster lives, or null for a temporary folder removed on
     *     close
     * @param stopOnExit whether the server stops by itself when the JVM exits; a caller that
     *     stops it in its own shutdown hook, after what still uses it, passes false
     */
    public static PostgresServer start(int port, Path dataDirectory, boolean stopOnExit) {
        return start(port, dataDirectory, stopOnExit, Map.of());
    }

    /** As {@link #start(int, Path, boolean)}, with server settings that replace walflow's. */
    public static PostgresServer start(
            int port, Path dataDirectory, boolean stopOnExit, Map<String, String> settings) {
        try {
            EmbeddedPostgres.Builder builder =
                    EmbeddedPostgres.builder()
                            .setServerConfig("listen_addresses", "127.0.0.1")
                            .setServerConfig("wal_level", "logical")
                            .setServerConfig("max_replication_slots", "40")
                            .setServerConfig("max_wal_senders", "40")
                            .setServerConfig("max_prepared_transactions", "64")
                            .setServerConfig("max_connections", "300")
                            // zonky turns synchronous_commit off; replication tests want the
                            // ordinary commit semantics.
                            .setServerConfig("synchronous_commit", "on")
                            .setServerConfig("fsync", "off")
                            .setServerConfig("full_page_writes", "off")
                            .setServerConfig("wal_sender_timeout", "60s")
                            .setServerConfig("timezone", "UTC")
                            .setPGStartupWait(java.time.Duration.ofSeconds(60))
                            .setRegisterShutdownHook(stopOnExit);
            settings.forEach(builder::setServerConfig);
            if (port > 0) {
                builder.setPort(port);
            }
            if (dataDirectory != null) {
                Files.createDirectories(dataDirectory);
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            return new PostgresServer(builder.start());
        } catch (IOException e) {
            throw new IllegalStateException("Failed to start embedded PostgreSQL", e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /** Creates a database (dropping one of the same name first). */
    public void createDatabase(String name) {
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
            s.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("Failed to create database " + name, e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new IllegalStateException("Failed to stop embedded PostgreSQL", e);
        }
    }
}
