package dev.walflow.job;

import dev.walflow.jdbc.Connections;
import dev.walflow.job.config.ClickHouseOptions;
import dev.walflow.job.config.InvalidConfigException;
import dev.walflow.job.config.SourceOptions;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import dev.walflow.sink.clickhouse.ClickHouseConfig;
import dev.walflow.sink.clickhouse.ClickHouseDdl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Prepares ClickHouse at start, so that a wrong URL or missing rights fail the job before it
 * runs and the copies exist as soon as it does: the database, and per captured table with a
 * primary key its ReplacingMergeTree table and {@code _live} view.
 */
final class ClickHousePreflight {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHousePreflight.class);

    private ClickHousePreflight() {}

    static void run(ClickHouseConfig config, List<TableInfo> tables) {
        checkOptions(config);
        checkNames(tables);
        try (Connection c = Connections.open(config.url(), config.connectionProperties());
                Statement s = c.createStatement()) {
            s.execute(ClickHouseDdl.createDatabase(config));
            for (TableInfo table : tables) {
                if (table.primaryKey().isEmpty()) {
                    LOG.warn("{} has no primary key: ClickHouse's ReplacingMergeTree needs one, so it is not copied to ClickHouse",
                            table.id());
                    continue;
                }
                for (String sql : ClickHouseDdl.create(config, table)) {
                    try {
                        s.execute(sql);
                    } catch (SQLException e) {
                        throw new SQLException("creating the copy of " + table.id() + " failed: " + e.getMessage(), e);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Failed to prepare ClickHouse (" + ClickHouseOptions.URL.key() + " = "
                    + Connections.redact(config.url()) + ", database " + config.database() + "): " + e.getMessage(), e);
        }
        LOG.info("ClickHouse database {} holds the copies of {} tables", config.database(), tables.size());
    }

    private static void checkOptions(ClickHouseConfig config) {
        if (!config.url().startsWith("jdbc:clickhouse:") && !config.url().startsWith("jdbc:ch:")) {
            throw new InvalidConfigException("Invalid value '" + Connections.redact(config.url()) + "' for parameter '"
                    + ClickHouseOptions.URL.key() + "': expected a clickhouse-jdbc URL such as jdbc:clickhouse:http://host:8123");
        }
        if (config.exactlyOnce() && config.dedupWindow() < 1) {
            throw new InvalidConfigException("Invalid value " + config.dedupWindow() + " for parameter '"
                    + ClickHouseOptions.DEDUP_WINDOW.key() + "': exactly-once needs a deduplication window of 1 or more");
        }
        if (config.batchMaxRows() < 1 || config.batchMaxBytes() < 1) {
            throw new InvalidConfigException("Parameters '" + ClickHouseOptions.BATCH_MAX_ROWS.key() + "' and '"
                    + ClickHouseOptions.BATCH_MAX_BYTES.key() + "' must be positive");
        }
    }

    /** Two source tables must not share a copy ({@code public.a__b} and {@code a.b} would). */
    private static void checkNames(List<TableInfo> tables) {
        Map<String, TableId> seen = new HashMap<>();
        for (TableInfo table : tables) {
            TableId other = seen.put(ClickHouseDdl.tableName(table.id()), table.id());
            if (other != null) {
                throw new InvalidConfigException("Tables " + other + " and " + table.id() + " would both be copied to ClickHouse"
                        + " table " + ClickHouseDdl.tableName(table.id()) + "; leave one out of " + SourceOptions.TABLES.key());
            }
        }
    }

    /**
     * The source's current WAL position: the version of snapshot rows, above every change an
     * earlier run of the job wrote to ClickHouse.
     */
    static long walPosition(String sourceUrl, Properties properties) {
        try (Connection c = Connections.open(sourceUrl, properties);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Failed to read the source's WAL position (" + Connections.redact(sourceUrl) + "): "
                    + e.getMessage(), e);
        }
    }
}
