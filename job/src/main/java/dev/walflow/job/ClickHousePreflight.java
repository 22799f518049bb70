package dev.walflow.job;

import dev.walflow.job.config.ClickHouseOptions;
import dev.walflow.schema.TableInfo;
import dev.walflow.sink.clickhouse.ClickHouseConfig;
import dev.walflow.sink.clickhouse.ClickHouseDdl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Prepares ClickHouse at start, so that a wrong URL or missing rights fail the job before it
 * runs and the copies exist as soon as it does: the database, and per captured table with a
 * primary key its ReplacingMergeTree table and {@code _live} view.
 */
final class ClickHousePreflight {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHousePreflight.class);

    private ClickHousePreflight() {}

    static void run(ClickHouseConfig config, List<TableInfo> tables) {
        try (Connection c = DriverManager.getConnection(config.url(), config.connectionProperties());
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
                    + Urls.redact(config.url()) + ", database " + config.database() + "): " + e.getMessage(), e);
        }
        LOG.info("ClickHouse database {} holds the copies of {} tables", config.database(), tables.size());
    }
}
