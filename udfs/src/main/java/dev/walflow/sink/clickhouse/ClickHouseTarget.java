package dev.walflow.sink.clickhouse;

import dev.walflow.jdbc.Connections;
import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import dev.walflow.source.SourceCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies batches to ClickHouse: creates a table that is missing, adds the columns the source
 * gained before rows that carry them, then runs the INSERT with its deduplication token (or a
 * TRUNCATE's removal of older versions). Failed statements are retried on a new connection.
 */
final class ClickHouseTarget implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseTarget.class);

    private final ClickHouseConfig config;
    private final SourceCatalog catalog;
    /** Columns each ClickHouse table is known to have. */
    private final Map<String, Set<String>> columns = new HashMap<>();
    private Connection connection;

    ClickHouseTarget(ClickHouseConfig config, SourceCatalog catalog) {
        this.config = config;
        this.catalog = catalog;
    }

    /** Applies the batch, retrying up to the configured times; then fails naming it. */
    void apply(ClickHouseBatch batch) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                applyOnce(batch);
                return;
            } catch (SQLException | RuntimeException e) {
                close();
                if (attempt >= config.maxRetries()) {
                    throw new IOException("Failed to write " + batch + " to ClickHouse " + config.url() + " after "
                            + (attempt + 1) + " attempt(s): " + e.getMessage(), e);
                }
                LOG.warn("Writing {} to ClickHouse failed (attempt {}), retrying: {}", batch, attempt + 1, e.getMessage());
                try {
                    Thread.sleep(Math.min(10_000L, 500L << attempt));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("Interrupted while waiting to retry " + batch, ie);
                }
            }
        }
    }

    private void applyOnce(ClickHouseBatch batch) throws SQLException {
        ensureConnection();
        TableId id = TableId.ofEventTable(batch.table);
        ensureColumns(id, batch);
        try (Statement s = connection.createStatement()) {
            if (batch.isTruncate()) {
                s.execute(ClickHouseDdl.truncate(config, id, batch.truncateBelow));
                return;
            }
            StringBuilder sql = new StringBuilder(batch.values.length() + 256);
            sql.append("INSERT INTO ").append(ClickHouseDdl.target(config, id)).append(" (");
            for (String column : batch.columns) {
                sql.append(ClickHouseDdl.quote(column)).append(", ");
            }
            sql.append(ClickHouseDdl.quote(ClickHouseDdl.VERSION)).append(", ").append(ClickHouseDdl.quote(ClickHouseDdl.DELETED))
                    .append(") SETTINGS insert_deduplication_token = ");
            ClickHouseLiterals.appendString(sql, batch.token);
            if (config.cluster() != null) {
                // Synchronous, so the token reaches the shards with the rows.
                sql.append(", insert_distributed_sync = 1");
            }
            sql.append(" VALUES ").append(batch.values);
            s.execute(sql.toString());
        }
    }

    private void ensureColumns(TableId id, ClickHouseBatch batch) throws SQLException {
        Set<String> known = columns.get(batch.table);
        if (known == null) {
            known = readColumns(id);
            if (known.isEmpty()) {
                TableInfo table = catalog.table(batch.table).orElse(null);
                if (table == null) {
                    table = catalog.refresh(batch.table);
                }
                LOG.info("Creating ClickHouse table {} for {}", ClickHouseDdl.target(config, id), batch.table);
                execute(ClickHouseDdl.create(config, table));
                known = readColumns(id);
            }
            columns.put(batch.table, known);
        }
        for (String column : batch.columns) {
            if (known.contains(column)) {
                continue;
            }
            TableInfo table = catalog.withColumn(batch.table, column);
            ColumnInfo info = table.column(column);
            if (info == null) {
                throw new SQLException("Column " + column + " of " + batch.table + " is in a change but no longer at the"
                        + " source, so its ClickHouse type is unknown; add it to " + ClickHouseDdl.target(config, id) + " by hand");
            }
            String after = null;
            for (ColumnInfo c : table.columns()) {
                if (c.name().equals(column)) {
                    break;
                }
                if (known.contains(c.name())) {
                    after = c.name();
                }
            }
            LOG.info("Adding column {} to ClickHouse table {} (the source table gained it)", column, ClickHouseDdl.target(config, id));
            execute(ClickHouseDdl.addColumn(config, id, info, table.primaryKey().contains(column), after));
            known.add(column);
        }
    }

    private Set<String> readColumns(TableId id) throws SQLException {
        Set<String> names = new HashSet<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT name FROM system.columns WHERE database = ? AND table = ?")) {
            ps.setString(1, config.database());
            ps.setString(2, ClickHouseDdl.tableName(id) + (config.cluster() == null ? "" : "_local"));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    void execute(List<String> statements) throws SQLException {
        ensureConnection();
        try (Statement s = connection.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private void ensureConnection() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection(config.url(), config.connectionProperties());
        }
    }

    @Override
    public void close() {
        Connections.closeQuietly(connection);
        connection = null;
        // Tables may have changed while disconnected.
        columns.clear();
    }
}
