package dev.walflow.sink.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.data.ClickHouseFormat;
import com.clickhouse.jdbc.ConnectionImpl;
import dev.walflow.jdbc.Connections;
import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import dev.walflow.source.SourceCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

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
                    throw new IOException("Failed to write " + batch + " to ClickHouse " + Connections.redact(config.url()) + " after "
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
        if (batch.isTruncate()) {
            try (Statement s = connection.createStatement()) {
                s.execute(ClickHouseDdl.truncate(config, id, batch.truncateBelow));
            }
            return;
        }
        insert(connection, config, id, batch);
    }

    /**
     * Sends the rows as the request body ({@code FORMAT Values}) through the driver's client: a
     * JDBC statement would first run the driver's SQL parser over megabytes of values.
     */
    static void insert(Connection connection, ClickHouseConfig config, TableId id, ClickHouseBatch batch) throws SQLException {
        List<String> columns = new ArrayList<>(batch.columns.length + 2);
        for (String column : batch.columns) {
            columns.add(ClickHouseDdl.quote(column));
        }
        columns.add(ClickHouseDdl.quote(ClickHouseDdl.VERSION));
        columns.add(ClickHouseDdl.quote(ClickHouseDdl.DELETED));
        InsertSettings settings = new InsertSettings().setDeduplicationToken(batch.token)
                // Written when acknowledged, and deduplicated by the token, whatever the user's
                // profile says about asynchronous inserts.
                .serverSetting("async_insert", "0");
        if (config.cluster() != null) {
            // Synchronous, so the token reaches the shards with the rows.
            settings.serverSetting("insert_distributed_sync", "1");
        }
        Client client = connection.unwrap(ConnectionImpl.class).getClient();
        byte[] body = batch.values.getBytes(StandardCharsets.UTF_8);
        try (InsertResponse ignored = client.insert(ClickHouseDdl.target(config, id), columns,
                new ByteArrayInputStream(body), ClickHouseFormat.Values, settings).get()) {
            // Written; the response only carries counters.
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new SQLException(cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Interrupted while inserting " + batch, e);
        } catch (Exception e) {
            throw new SQLException(e.getMessage(), e);
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
                // Dropped at the source after these changes: its type is gone with it.
                LOG.warn("Column {} of {} is in changes but no longer at the source; adding it to {} as text",
                        column, batch.table, ClickHouseDdl.target(config, id));
                info = new ColumnInfo(column, "text", "pg_catalog.text", "text", false, true, true);
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
            connection = Connections.open(config.url(), config.connectionProperties());
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
