package dev.walflow.bench.postgres;

import dev.walflow.testkit.SqlRunner;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Rows of a captured table, each written in a transaction of its own with the time of its
 * write. With one sink subtask the target applies changes in commit order, so a marker that
 * has arrived means everything committed before it has arrived too.
 */
final class Markers {

    static final String TABLE = "public.bench_marker";

    private long nextId = 1;

    static void create(SourceDatabase source) throws SQLException {
        try (Connection c = source.connect()) {
            SqlRunner.execute(c, "CREATE TABLE bench_marker (id bigint PRIMARY KEY,"
                    + " at timestamptz NOT NULL DEFAULT clock_timestamp())");
        }
    }

    /** Writes the next marker (autocommit) and returns its id. */
    synchronized long write(Connection source) throws SQLException {
        long id = nextId++;
        try (PreparedStatement ps = source.prepareStatement("INSERT INTO bench_marker (id) VALUES (?)")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
        return id;
    }

    /** Waits until the target holds the marker. */
    static void await(SourceDatabase target, long id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = target.connect();
                PreparedStatement ps = c.prepareStatement("SELECT 1 FROM bench_marker WHERE id = ?")) {
            ps.setLong(1, id);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Marker " + id + " did not reach " + target.name() + " within " + timeout);
                }
                Thread.sleep(10);
            }
        }
    }
}
