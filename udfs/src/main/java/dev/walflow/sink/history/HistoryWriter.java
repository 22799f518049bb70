package dev.walflow.sink.history;

import dev.walflow.jdbc.Connections;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import dev.walflow.model.Position;
import dev.walflow.sink.txn.StatementCache;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.sink.txn.TransactionalWriter;
import dev.walflow.sink.txn.WriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Appends every change to {@code change_history}, in the transactions of its base class. */
final class HistoryWriter extends TransactionalWriter<ChangeEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private List<ChangeEvent> pending = new ArrayList<>();
    private final Duration retention;
    private long lastPrune;

    HistoryWriter(TargetConfig config, Duration retention, WriterInitContext context, Collection<WriterState> restored)
            throws IOException {
        super(config, HistorySink.NAME, context, restored);
        this.retention = retention;
    }

    @Override
    protected int buffer(ChangeEvent event) {
        track(event.position);
        pending.add(event);
        return 1;
    }

    @Override
    protected Work<Integer> takeBuffered() {
        List<ChangeEvent> batch = pending;
        pending = new ArrayList<>();
        return (connection, statements) -> insert(batch, connection, statements);
    }

    /** Runs on the batch thread, as does {@link #maybePrune}. */
    private int insert(List<ChangeEvent> batch, Connection connection, StatementCache statements) throws SQLException {
        PreparedStatement ps = statements.get(HistoryTable.insertSql(config.walflowSchema()));
        for (ChangeEvent e : batch) {
            Position p = e.position;
            ps.setString(1, Position.formatLsn(p.lsn));
            ps.setString(2, Position.formatLsn(p.changeLsn));
            ps.setInt(3, p.ordinal);
            ps.setString(4, e.table);
            ps.setString(5, e.op.name());
            ps.setString(6, e.key == null || e.key.length == 0 ? null : keyJson(e));
            ps.setString(7, image(e, e.after));
            ps.setString(8, image(e, e.before));
            if (e.txId == 0) {
                ps.setNull(9, Types.BIGINT);
            } else {
                ps.setLong(9, e.txId);
            }
            ps.setInt(10, e.schemaVersion);
            ps.setString(11, e.commitMicros == 0 ? null : Instant.EPOCH.plusNanos(e.commitMicros * 1000).toString());
            ps.setString(12, metadata(e));
            ps.setString(13, e.originClientId);
            ps.addBatch();
        }
        ps.executeBatch();
        maybePrune();
        return batch.size();
    }

    private void maybePrune() {
        if (retention == null || subtask != 0) {
            return;
        }
        long now = System.currentTimeMillis();
        if (now - lastPrune < Math.min(retention.toMillis() / 10 + 1, 300_000L)) {
            return;
        }
        lastPrune = now;
        // Outside the data's transaction: pruning is not part of any checkpoint.
        try (Connection c = Connections.open(config.url(), config.connectionProperties());
                PreparedStatement ps = c.prepareStatement(HistoryTable.pruneSql(config.walflowSchema()))) {
            ps.setString(1, retention.toMillis() + " milliseconds");
            int deleted = ps.executeUpdate();
            if (deleted > 0) {
                LOG.info("Pruned {} change_history rows older than {}", deleted, retention);
            }
        } catch (SQLException e) {
            LOG.warn("Pruning change_history failed, will retry: {}", e.getMessage());
        }
    }

    private static String keyJson(ChangeEvent e) {
        ArrayNode key = JSON.createArrayNode();
        for (String v : e.key) {
            key.add(v);
        }
        return key.toString();
    }

    /** The row as a JSON object of text values; unchanged TOAST columns are left out. */
    private static String image(ChangeEvent e, String[] values) {
        if (values == null || e.op == Operation.TRUNCATE) {
            return null;
        }
        ObjectNode row = JSON.createObjectNode();
        for (int i = 0; i < e.columns.length; i++) {
            if (!ChangeEvent.UNCHANGED_TOAST.equals(values[i])) {
                row.put(e.columns[i], values[i]);
            }
        }
        return row.toString();
    }

    private static String metadata(ChangeEvent e) {
        ObjectNode meta = JSON.createObjectNode();
        if (e.after != null) {
            ArrayNode unchanged = null;
            for (int i = 0; i < e.columns.length; i++) {
                if (ChangeEvent.UNCHANGED_TOAST.equals(e.after[i])) {
                    if (unchanged == null) {
                        unchanged = meta.putArray("unchanged_toast");
                    }
                    unchanged.add(e.columns[i]);
                }
            }
        }
        return meta.isEmpty() ? null : meta.toString();
    }
}
