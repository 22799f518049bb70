package dev.walflow.sink.postgres;

import dev.walflow.logging.LogFields;
import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import dev.walflow.route.RouteKeys;
import dev.walflow.schema.Catalog;
import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import dev.walflow.sink.txn.StatementCache;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.sink.txn.TransactionalWriter;
import dev.walflow.sink.txn.WriterState;
import dev.walflow.source.PgText;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes changes of every table into one target database: per table, each row collapsed to its
 * latest state, as batched deletes, upserts and partial updates (see {@link TableApplier}).
 * Transactions and batching come from {@link TransactionalWriter}.
 */
final class PostgresChangeWriter extends TransactionalWriter<ChangeEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresChangeWriter.class);

    private Map<String, PendingChanges> pending = new LinkedHashMap<>();
    private final Map<String, TableStatements> tables = new HashMap<>();
    private final SnapshotCopyModes snapshotModes = new SnapshotCopyModes();

    PostgresChangeWriter(TargetConfig config, WriterInitContext context, Collection<WriterState> restored)
            throws IOException {
        super(config, PostgresSink.NAME, context, restored);
    }

    @Override
    protected int buffer(ChangeEvent event) throws IOException {
        if (event.op == Operation.TRUNCATE) {
            // Everything before the TRUNCATE is written first, then the table is cleared.
            flushPending();
            track(event.position);
            try (LogFields f = LogFields.of(LogFields.TABLE, event.table, LogFields.POSITION, event.position)) {
                runNow("TRUNCATE of " + event.table, (c, cache) -> {
                    truncate(c, cache, event.table);
                    return null;
                });
            }
            return 0;
        }
        track(event.position);
        pending.computeIfAbsent(event.table, t -> new PendingChanges()).add(event);
        return 1;
    }

    @Override
    protected Work<Integer> takeBuffered() {
        Map<String, PendingChanges> batch = pending;
        pending = new LinkedHashMap<>();
        return (connection, statements) -> apply(batch, connection, statements);
    }

    /** Runs on the batch thread; {@link #tables} and {@link #snapshotModes} are its alone while it does. */
    private int apply(Map<String, PendingChanges> batch, Connection connection, StatementCache statements)
            throws SQLException {
        int rows = 0;
        for (Map.Entry<String, PendingChanges> entry : batch.entrySet()) {
            if (entry.getValue().isEmpty()) {
                continue;
            }
            try {
                TableApplier applier = new TableApplier(
                        statements(connection, entry.getKey()), statements, config.bulkUpsertMinRows(), snapshotModes);
                rows += applier.apply(entry.getValue());
            } catch (SQLException e) {
                throw new SQLException("table " + entry.getKey() + ": " + describe(e), e.getSQLState(), e);
            }
        }
        return rows;
    }

    @Override
    protected void onConnectionDropped() {
        tables.clear();
    }

    /**
     * Clears a table. With one subtask, all its rows; with several, each subtask deletes the rows
     * whose key it owns (every subtask receives a copy of the TRUNCATE in stream order), so rows
     * another subtask already wrote after the TRUNCATE stay. Exactly-once uses DELETE, not
     * TRUNCATE, whose exclusive lock would block readers until the checkpoint commits.
     */
    private void truncate(Connection connection, StatementCache cache, String table) throws SQLException {
        TableStatements ts = statements(connection, table);
        try (Statement s = connection.createStatement()) {
            if (parallelism == 1) {
                s.execute(config.exactlyOnce() ? "DELETE FROM " + ts.target().id().quoted() : ts.truncate());
            } else if (ts.target().primaryKey().isEmpty()) {
                if (RouteKeys.subtaskOf(table, maxParallelism, parallelism) == subtask) {
                    s.execute("DELETE FROM " + ts.target().id().quoted());
                }
            } else {
                deleteOwnedRows(connection, cache, table, ts);
            }
        }
        LOG.info("Applied TRUNCATE of {} (subtask {} of {})", table, subtask, parallelism);
    }

    private void deleteOwnedRows(Connection connection, StatementCache cache, String table, TableStatements ts)
            throws SQLException {
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
        PreparedStatement ps = cache.get(ts.deleteByKey());
        for (String[] key : owned) {
            for (int i = 0; i < key.length; i++) {
                ps.setString(i + 1, key[i]);
            }
            ps.addBatch();
        }
        ps.executeBatch();
    }

    private TableStatements statements(Connection connection, String table) throws SQLException {
        TableStatements ts = tables.get(table);
        if (ts == null) {
            TableId id = TableId.ofEventTable(table);
            TableInfo info =
                    Catalog.read(connection, id)
                            .orElseThrow(
                                    () -> new IllegalStateException(
                                            "Target table " + id + " does not exist in " + config.url()
                                                    + "; walflow creates missing tables at start, so it was dropped while the job ran"));
            ts = new TableStatements(info);
            tables.put(table, ts);
        }
        return ts;
    }
}
