package dev.walflow.source;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import dev.walflow.schema.Catalog;
import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Completes the new row of a primary-key change. PostgreSQL logs an UPDATE that changes the key
 * as the old key plus the new row, and leaves out TOASTed values that did not change; Debezium
 * turns it into a DELETE of the old key and an INSERT of the new one, the INSERT still missing
 * those values. The old row is about to be deleted (possibly by another sink subtask), so the
 * values are read from the source row itself. The row read may be newer than the change; the
 * later changes follow in the stream, so every target still ends at the source's state. A row
 * already deleted at the source keeps its markers (its DELETE follows).
 *
 * <p>Only such INSERTs cost a query; every other change passes untouched.
 */
public final class ToastCompletionFunction extends RichMapFunction<ChangeEvent, ChangeEvent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ToastCompletionFunction.class);

    private final String url;
    private final Properties connectionProperties;

    private transient Connection connection;
    private transient Map<String, TableInfo> tables;

    public ToastCompletionFunction(String url, Properties connectionProperties) {
        this.url = url;
        this.connectionProperties = connectionProperties;
    }

    @Override
    public void open(OpenContext openContext) {
        tables = new HashMap<>();
    }

    @Override
    public ChangeEvent map(ChangeEvent event) throws SQLException {
        if (event.op != Operation.INSERT || !event.hasUnchangedToast() || event.isKeyless()) {
            return event;
        }
        try {
            return complete(event);
        } catch (SQLException e) {
            closeConnection();
            throw new SQLException(
                    "Failed to read the unchanged TOAST values of " + event.table + " key "
                            + String.join(",", event.key) + " from the source: " + e.getMessage(), e);
        }
    }

    private ChangeEvent complete(ChangeEvent event) throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection(url, connectionProperties);
        }
        TableInfo table = tables.get(event.table);
        if (table == null) {
            table = Catalog.read(connection, TableId.ofEventTable(event.table))
                    .orElseThrow(() -> new SQLException("Source table " + event.table + " no longer exists"));
            tables.put(event.table, table);
        }
        List<Integer> missing = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < event.columns.length; i++) {
            if (ChangeEvent.UNCHANGED_TOAST.equals(event.after[i])) {
                sql.append(missing.isEmpty() ? "" : ", ").append(TableId.quote(event.columns[i]));
                missing.add(i);
            }
        }
        sql.append(" FROM ").append(table.id().quoted()).append(" WHERE ");
        for (int k = 0; k < event.keyColumns.length; k++) {
            ColumnInfo column = table.column(event.keyColumns[k]);
            sql.append(k > 0 ? " AND " : "").append(TableId.quote(event.keyColumns[k]))
                    .append(" = ?::").append(column.castType());
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
            for (int k = 0; k < event.key.length; k++) {
                ps.setString(k + 1, event.key[k]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    LOG.debug("Row of {} with key {} is gone at the source", event.table, (Object) event.key);
                    return event;
                }
                ChangeEvent completed = event.copy();
                completed.after = event.after.clone();
                for (int m = 0; m < missing.size(); m++) {
                    int i = missing.get(m);
                    completed.after[i] = PgText.format(table.column(event.columns[i]).typeName(), rs.getObject(m + 1));
                }
                return completed;
            }
        }
    }

    @Override
    public void close() {
        closeConnection();
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
            connection = null;
        }
    }
}
