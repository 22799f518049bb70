package dev.walflow.sink.postgres;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import dev.walflow.route.RouteKeys;
import dev.walflow.schema.Catalog;
import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import dev.walflow.source.PgText;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes changes of every table into one target database. Changes are buffered per table and
 * written when the buffer holds {@code batchMaxRows} changes, when {@code batchInterval} has
 * passed, and before every checkpoint barrier, each time in one transaction. A full buffer is
 * written before the next change is accepted, so a slow target slows the stream (backpressure)
 * instead of growing memory.
 *
 * <p>A failed write is retried on a fresh connection; when the retries are spent the job fails
 * and restarts from its last checkpoint, whose LSN is the furthest the slot was confirmed, so
 * no change is skipped.
 */
final class PostgresChangeWriter implements SinkWriter<ChangeEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresChangeWriter.class);

    private final PostgresSinkConfig config;
    private final int subtask;
    private final int parallelism;
    private final int maxParallelism;
    private final ProcessingTimeService timers;
    private final Counter rowsWritten;
    private final Counter batchesWritten;

    private final Map<String, PendingChanges> pending = new LinkedHashMap<>();
    private final Map<String, TableStatements> tables = new HashMap<>();
    private int pendingEvents;

    private Connection connection;
    private StatementCache statementCache;

    PostgresChangeWriter(PostgresSinkConfig config, WriterInitContext context) {
        this.config = config;
        this.subtask = context.getTaskInfo().getIndexOfThisSubtask();
        this.parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        this.maxParallelism = context.getTaskInfo().getMaxNumberOfParallelSubtasks();
        this.timers = context.getProcessingTimeService();
        this.rowsWritten = context.metricGroup().counter("walflowRowsWritten");
        this.batchesWritten = context.metricGroup().counter("walflowBatchesWritten");
        scheduleTimedFlush();
    }

    @Override
    public void write(ChangeEvent event, Context context) throws IOException {
        if (event.op == Operation.TRUNCATE) {
            flushPending();
            runWithRetries("TRUNCATE of " + event.table, () -> truncate(event.table));
            return;
        }
        pending.computeIfAbsent(event.table, t -> new PendingChanges()).add(event);
        if (++pendingEvents >= config.batchMaxRows()) {
            flushPending();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        flushPending();
    }

    private void scheduleTimedFlush() {
        long interval = Math.max(1, config.batchInterval().toMillis());
        timers.registerTimer(
                timers.getCurrentProcessingTime() + interval,
                time -> {
                    flushPending();
                    scheduleTimedFlush();
                });
    }

    private void flushPending() throws IOException {
        if (pendingEvents == 0) {
            return;
        }
        int events = pendingEvents;
        runWithRetries(events + " changes of " + pending.keySet(), this::applyPending);
        pending.clear();
        pendingEvents = 0;
        batchesWritten.inc();
        LOG.debug("Wrote {} changes to {}", events, config.url());
    }

    private void applyPending() throws SQLException {
        int rows = 0;
        for (Map.Entry<String, PendingChanges> entry : pending.entrySet()) {
            if (entry.getValue().isEmpty()) {
                continue;
            }
            try {
                rows += new TableApplier(statements(entry.getKey()), statementCache).apply(entry.getValue());
            } catch (SQLException e) {
                throw new SQLException(
                        "table " + entry.getKey() + ": " + describe(e), e.getSQLState(), e);
            }
        }
        connection.commit();
        rowsWritten.inc(rows);
    }

    /**
     * Clears a table. With one subtask, TRUNCATE. With several, each subtask deletes the rows
     * whose key it owns (every subtask receives a copy of the TRUNCATE in stream order), so rows
     * another subtask has already written after the TRUNCATE are left alone.
     */
    private void truncate(String table) throws SQLException {
        TableStatements ts = statements(table);
        try (Statement s = connection.createStatement()) {
            if (parallelism == 1) {
                s.execute(ts.truncate());
            } else if (ts.target().primaryKey().isEmpty()) {
                if (RouteKeys.subtaskOf(table, maxParallelism, parallelism) == subtask) {
                    s.execute("DELETE FROM " + ts.target().id().quoted());
                }
            } else {
                deleteOwnedRows(table, ts);
            }
        }
        connection.commit();
        LOG.info("Applied TRUNCATE of {} (subtask {} of {})", table, subtask, parallelism);
    }

    private void deleteOwnedRows(String table, TableStatements ts) throws SQLException {
        List<ColumnInfo> keyColumns = new ArrayList<>();
        for (String k : ts.target().primaryKey()) {
            keyColumns.add(ts.column(k));
        }
        List<String[]> owned = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(ts.selectKeys())) {
            while (rs.next()) {
                String[] key = new String[keyColumns.size()];
                for (int i = 0; i < key.length; i++) {
                    key[i] = PgText.format(keyColumns.get(i).typeName(), rs.getObject(i + 1));
                }
                if (RouteKeys.subtaskOf(RouteKeys.of(table, key), maxParallelism, parallelism) == subtask) {
                    owned.add(key);
                }
            }
        }
        PreparedStatement ps = statementCache.get(ts.deleteByKey());
        for (String[] key : owned) {
            for (int i = 0; i < key.length; i++) {
                ps.setString(i + 1, key[i]);
            }
            ps.addBatch();
        }
        ps.executeBatch();
    }

    private TableStatements statements(String table) throws SQLException {
        TableStatements ts = tables.get(table);
        if (ts == null) {
            TableId id = TableId.ofEventTable(table);
            TableInfo info =
                    Catalog.read(connection, id)
                            .orElseThrow(
                                    () -> new IllegalStateException(
                                            "Target table " + id + " does not exist in "
                                                    + config.url() + "; walflow creates missing tables at start, so it was dropped while the job ran"));
            if (info.primaryKey().isEmpty() && info.replicaIdentity() != TableInfo.ReplicaIdentity.FULL) {
                LOG.debug("Target table {} has no primary key; rows are matched by all columns", id);
            }
            ts = new TableStatements(info);
            tables.put(table, ts);
        }
        return ts;
    }

    private interface SqlAction {
        void run() throws SQLException;
    }

    private void runWithRetries(String what, SqlAction action) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                ensureConnection();
                action.run();
                return;
            } catch (SQLException | RuntimeException e) {
                dropConnection();
                if (attempt >= config.maxRetries() || !isRetriable(e)) {
                    throw new IOException(
                            "Failed to write " + what + " to " + config.url() + " after "
                                    + (attempt + 1) + " attempt(s): " + describe(e), e);
                }
                LOG.warn("Writing {} to {} failed (attempt {}), retrying: {}", what, config.url(), attempt + 1, describe(e));
                sleep(Math.min(10_000L, 500L << attempt));
            }
        }
    }

    private static boolean isRetriable(Exception e) {
        // Connection trouble (08xxx), serialization failures and deadlocks (40xxx), and server
        // shutdown (57Pxx) may pass; data errors will not.
        if (!(e instanceof SQLException)) {
            return false;
        }
        String state = ((SQLException) e).getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("40") || state.startsWith("57");
    }

    /**
     * The server's own error, without the batch's SQL text that the driver puts in a batch
     * failure (it can be megabytes of row data).
     */
    static String describe(Exception e) {
        Throwable t = e;
        while (t instanceof SQLException) {
            SQLException next = ((SQLException) t).getNextException();
            if (next == null && t.getCause() instanceof SQLException) {
                t = t.getCause();
            } else if (next != null) {
                t = next;
            } else {
                break;
            }
        }
        String message = t.getMessage();
        if (t instanceof java.sql.BatchUpdateException || message == null) {
            return e.getClass().getSimpleName();
        }
        return message.length() > 1000 ? message.substring(0, 1000) + "..." : message;
    }

    private void ensureConnection() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection(config.url(), config.connectionProperties());
            connection.setAutoCommit(false);
            statementCache = new StatementCache(connection);
        }
    }

    private void dropConnection() {
        if (statementCache != null) {
            statementCache.close();
            statementCache = null;
        }
        if (connection != null) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection may already be gone
            }
            try {
                connection.close();
            } catch (SQLException ignored) {
                // nothing more to do
            }
            connection = null;
        }
        tables.clear();
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting to retry a write", e);
        }
    }

    @Override
    public void close() {
        dropConnection();
    }
}
