package dev.walflow.job.it;

import dev.walflow.job.ReplicationJob;
import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A walflow job on the test MiniCluster between a source and a target database of the test
 * server. Closing it cancels the job and drops its slot.
 */
final class Pipeline implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(120);

    final PostgresServer pg = TestPostgres.server();
    private PostgresServer targetServer = pg;
    final String sourceDb;
    final String targetDb;
    final String slot;
    private final Map<String, String> params = new LinkedHashMap<>();
    /**
     * Like a real deployment, a test job restarts from its last checkpoint after a failure; the
     * tests judge outcomes, which a restart must not change. Tests of a failure raise it.
     */
    private int restartAttempts = 2;
    private String savepoint;
    JobClient client;

    Pipeline(String sourceDb, String targetDb, String slot) {
        this.sourceDb = sourceDb;
        this.targetDb = targetDb;
        this.slot = slot;
        params.put("source.url", pg.jdbcUrl(sourceDb));
        params.put("source.username", PostgresServer.USER);
        params.put("source.password", PostgresServer.PASSWORD);
        params.put("source.slot-name", slot);
        params.put("source.publication", slot);
        params.put("sink.postgres.url", pg.jdbcUrl(targetDb));
        params.put("sink.postgres.username", PostgresServer.USER);
        params.put("sink.postgres.password", PostgresServer.PASSWORD);
        params.put("checkpoint.interval", "1s");
        params.put("sink.postgres.batch.interval", "200ms");
        params.put("source.heartbeat.interval", "1s");
    }

    /** Puts the target database on another server (created there by the caller). */
    Pipeline targetOn(PostgresServer server) {
        this.targetServer = server;
        params.put("sink.postgres.url", server.jdbcUrl(targetDb));
        return this;
    }

    Pipeline param(String key, String value) {
        params.put(key, value);
        return this;
    }

    String param(String key) {
        return params.get(key);
    }

    Pipeline restartAttempts(int attempts) {
        this.restartAttempts = attempts;
        return this;
    }

    /** The next start resumes from this savepoint. */
    Pipeline fromSavepoint(String path) {
        this.savepoint = path;
        return this;
    }

    String[] args() {
        List<String> args = new ArrayList<>();
        params.forEach((k, v) -> {
            args.add("--" + k);
            args.add(v);
        });
        return args.toArray(new String[0]);
    }

    Pipeline start() throws Exception {
        return start(null);
    }

    /** Starts the job; with {@code sinkWrapper} the PostgreSQL sink is replaced by its result. */
    Pipeline start(java.util.function.UnaryOperator<Sink<dev.walflow.model.ChangeEvent>> sinkWrapper) throws Exception {
        return start(sinkWrapper, null);
    }

    /** Starts the job with the PostgreSQL and ClickHouse sinks replaced by the wrappers' results. */
    Pipeline start(
            java.util.function.UnaryOperator<Sink<dev.walflow.model.ChangeEvent>> sinkWrapper,
            java.util.function.UnaryOperator<Sink<dev.walflow.model.ChangeEvent>> clickHouseWrapper) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration conf = new Configuration();
        if (restartAttempts > 0) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, restartAttempts);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        if (savepoint != null) {
            conf.set(org.apache.flink.runtime.jobgraph.SavepointConfigOptions.SAVEPOINT_PATH, savepoint);
        }
        env.configure(conf);
        if (clickHouseWrapper != null) {
            TestTopology.build(env, args(), sinkWrapper == null ? s -> s : sinkWrapper, clickHouseWrapper);
        } else if (sinkWrapper == null) {
            ReplicationJob.build(env, args());
        } else {
            TestTopology.build(env, args(), sinkWrapper);
        }
        client = env.executeAsync("walflow-test-" + slot);
        return this;
    }

    Connection source() throws SQLException {
        return pg.connect(sourceDb);
    }

    Connection target() throws SQLException {
        return targetServer.connect(targetDb);
    }

    void sourceSql(String... statements) throws SQLException {
        try (Connection c = source()) {
            SqlRunner.execute(c, statements);
        }
    }

    /** Waits until every table has the same rows in source and target, then asserts it. */
    void awaitTargetEqualsSource(String... tables) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            boolean equal = true;
            try (Connection s = source(); Connection t = target()) {
                for (String table : tables) {
                    if (!TableComparison.rows(s, table).equals(TableComparison.rows(t, table))) {
                        equal = false;
                        break;
                    }
                }
                if (!equal && isTerminal()) {
                    throw new AssertionError("The job stopped with status " + jobStatus() + ": " + failureCause());
                }
                if (equal || System.nanoTime() > deadline) {
                    for (String table : tables) {
                        List<String> expected = TableComparison.rows(s, table);
                        List<String> actual = TableComparison.rows(t, table);
                        assertThat(TableComparison.diff(expected, actual))
                                .as("rows of %s that differ between source and target (job status %s)", table, jobStatus())
                                .isEmpty();
                    }
                    return;
                }
            }
            Thread.sleep(250);
        }
    }

    boolean isTerminal() {
        try {
            return client != null && client.getJobStatus().get().isGloballyTerminalState();
        } catch (Exception e) {
            return false;
        }
    }

    String failureCause() {
        try {
            client.getJobExecutionResult().get();
            return "no failure";
        } catch (Exception e) {
            Throwable t = e;
            StringBuilder sb = new StringBuilder();
            while (t != null) {
                sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" / ");
                t = t.getCause();
            }
            return sb.toString();
        }
    }

    String jobStatus() {
        try {
            return client == null ? "not started" : client.getJobStatus().get().toString();
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** Set by a test to explain a timeout with the state it sees. */
    static volatile java.util.function.Supplier<String> diagnostics = () -> "";

    private static String diagnostics() {
        try {
            return "; " + diagnostics.get();
        } catch (RuntimeException e) {
            return "";
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + WAIT.toSeconds() + " s waiting for " + what + diagnostics());
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() throws Exception {
        if (client != null) {
            try {
                client.cancel().get();
            } catch (Exception ignored) {
                // already finished or failed
            }
        }
        try (Connection c = source()) {
            Pipeline.await("the slot " + slot + " to be released", () -> {
                try {
                    return SqlRunner.queryLong(c, "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name LIKE '" + slot + "%'") == 0;
                } catch (RuntimeException e) {
                    return false;
                }
            });
            SqlRunner.execute(c, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE '" + slot + "%'");
        }
        // A cancelled job can leave prepared the transactions of a checkpoint that was in flight
        // (README); its next start would settle them, but a test never starts it again, and a
        // prepared transaction on this shared server holds back every later slot's creation.
        String job = params.getOrDefault("job.name", "walflow");
        try (Connection t = target()) {
            for (List<String> row : SqlRunner.rows(t, "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'walflow:%:" + job + ":%'")) {
                SqlRunner.execute(t, "ROLLBACK PREPARED '" + row.get(0) + "'");
            }
        }
    }
}
