package dev.walflow.source;

import dev.walflow.jdbc.Connections;
import dev.walflow.model.ChangeEvent;
import dev.walflow.schema.Catalog;
import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the values a change lacks (unchanged TOAST columns) from the source row with the same
 * key. The row read may be newer than the change; later changes follow in the stream, so a
 * target still ends at the source's state. One lazily opened connection per instance.
 */
public final class SourceRowLookup implements Serializable, AutoCloseable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SourceRowLookup.class);

    private final String url;
    private final Properties connectionProperties;

    private transient Connection connection;
    private transient Map<String, TableInfo> tables;

    public SourceRowLookup(String url, Properties connectionProperties) {
        this.url = url;
        this.connectionProperties = connectionProperties;
    }

    /**
     * A copy of {@code event} with its unchanged TOAST values read from the source, or the event
     * itself, markers kept, when the row is gone at the source (its DELETE follows).
     */
    public ChangeEvent fill(ChangeEvent event) throws SQLException {
        try {
            return read(event);
        } catch (SQLException e) {
            close();
            throw new SQLException(
                    "Failed to read the unchanged TOAST values of " + event.table + " key "
                            + String.join(",", event.key) + " from the source: " + e.getMessage(), e);
        }
    }

    private ChangeEvent read(ChangeEvent event) throws SQLException {
        if (connection == null) {
            connection = Connections.open(url, connectionProperties);
            tables = new HashMap<>();
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
        Connections.closeQuietly(connection);
        connection = null;
    }
}
