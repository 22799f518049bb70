package dev.walflow.job;

import dev.walflow.jdbc.Connections;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.verify.HealthCheckState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Prints a progress line every few seconds while a verification runs, read from its row in
 * health_check_state (the ranges add to it as they finish, wherever they run).
 */
final class VerifyProgress implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VerifyProgress.class);
    private static final long PERIOD_SECONDS = 5;

    private final TargetConfig target;
    private final HealthCheckState state;
    private final long checkId;
    private final long started = System.nanoTime();
    private ScheduledExecutorService executor;
    private Connection connection;

    private VerifyProgress(TargetConfig target, HealthCheckState state, long checkId) {
        this.target = target;
        this.state = state;
        this.checkId = checkId;
    }

    static VerifyProgress start(TargetConfig target, HealthCheckState state, long checkId) {
        VerifyProgress p = new VerifyProgress(target, state, checkId);
        p.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "walflow-verify-progress");
            t.setDaemon(true);
            return t;
        });
        p.executor.scheduleWithFixedDelay(p::report, PERIOD_SECONDS, PERIOD_SECONDS, TimeUnit.SECONDS);
        return p;
    }

    private void report() {
        try {
            if (connection == null) {
                connection = Connections.open(target.url(), target.connectionProperties());
            }
            long[] p = state.progress(connection, checkId);
            if (p == null) {
                return;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            String line = String.format(Locale.ROOT, "verify #%d: %d/%d ranges, %,d records scanned (%,.0f/s), %d mismatches so far",
                    checkId, p[0], p[1], p[2], p[2] / Math.max(seconds, 0.001), p[3]);
            System.out.println(line);
            LOG.info(line);
        } catch (SQLException e) {
            LOG.debug("Could not read verify progress: {}", e.getMessage());
            Connections.closeQuietly(connection);
            connection = null;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Connections.closeQuietly(connection);
    }
}
