package dev.walflow.source;

import dev.walflow.jdbc.Connections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes a logical-decoding message into the source's WAL at a fixed interval, from a thread
 * of its own. The message reaches the slot's stream whatever the publication holds, so a quiet
 * database still gives the stream positions to confirm, and a restarted source finds its place
 * in the WAL: Flink CDC 3.5 sends no heartbeat while it searches for its resume position
 * (apache/flink-cdc PR #4521), and on a publication with no traffic that search never ends.
 */
final class SourceHeartbeat implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SourceHeartbeat.class);

    private final String url;
    private final Properties properties;
    private final Duration interval;
    private final SlotMonitor monitor;
    private ScheduledExecutorService executor;
    private Connection connection;

    /** @param monitor reads the slot's state after each beat, or null */
    SourceHeartbeat(String url, Properties properties, Duration interval, SlotMonitor monitor) {
        this.url = url;
        this.properties = properties;
        this.interval = interval;
        this.monitor = monitor;
    }

    void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "walflow-source-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(100, interval.toMillis());
        executor.scheduleWithFixedDelay(this::beat, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void beat() {
        try {
            if (connection == null) {
                connection = Connections.open(url, properties);
            }
            try (Statement s = connection.createStatement()) {
                s.execute("SELECT pg_logical_emit_message(false, 'walflow.heartbeat', now()::text)");
            }
        } catch (SQLException e) {
            LOG.warn("Heartbeat into the source failed, will retry: {}", e.getMessage());
            closeConnection();
            return;
        }
        if (monitor != null) {
            try {
                monitor.poll(connection);
            } catch (SQLException | RuntimeException e) {
                // Metrics must never fail the job: the next beat reconnects and reads again.
                LOG.warn("Reading the slot's state for the metrics failed, will retry: {}", e.getMessage());
                closeConnection();
            }
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // reconnects on the next beat
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeConnection();
    }
}
