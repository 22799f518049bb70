package dev.walflow.source;

import dev.walflow.jdbc.Connections;
import dev.walflow.schema.Catalog;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The source's table definitions as the job started with them, re-read from the source when a
 * change names a column they lack (the table gained a column while the job ran).
 */
public final class SourceCatalog implements Serializable, AutoCloseable {

    private static final long serialVersionUID = 1L;

    private final String url;
    private final Properties connectionProperties;
    private final Map<String, TableInfo> tables = new HashMap<>();

    private transient Connection connection;

    /** @param tables the captured tables, as read at start */
    public SourceCatalog(String url, Properties connectionProperties, Iterable<TableInfo> tables) {
        this.url = url;
        this.connectionProperties = connectionProperties;
        for (TableInfo t : tables) {
            this.tables.put(t.id().eventName(), t);
        }
    }

    /** The definition of {@code table} (an event's table name), as last read. */
    public Optional<TableInfo> table(String table) {
        return Optional.ofNullable(tables.get(table));
    }

    /** Reads {@code table}'s definition from the source again. */
    public TableInfo refresh(String table) throws SQLException {
        try {
            if (connection == null) {
                connection = Connections.open(url, connectionProperties);
            }
            TableInfo info = Catalog.read(connection, TableId.ofEventTable(table))
                    .orElseThrow(() -> new SQLException("Source table " + table + " no longer exists"));
            tables.put(table, info);
            return info;
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    /** The definition, re-read when it lacks {@code column}. */
    public TableInfo withColumn(String table, String column) throws SQLException {
        TableInfo info = tables.get(table);
        if (info != null && info.column(column) != null) {
            return info;
        }
        return refresh(table);
    }

    @Override
    public void close() {
        Connections.closeQuietly(connection);
        connection = null;
    }
}
