package dev.walflow.job;

import dev.walflow.jdbc.Connections;
import dev.walflow.job.config.JobConfig;
import dev.walflow.job.config.SinkOptions;
import dev.walflow.job.config.SourceOptions;
import dev.walflow.job.config.VerifyOptions;
import dev.walflow.schema.Catalog;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.verify.KeyRange;
import dev.walflow.verify.RangePlanner;
import dev.walflow.verify.TableSql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a verification covers: the captured tables as the source defines them (those without a
 * primary key are left out, with a note), their key ranges, and whether change_history can
 * be checked.
 */
final class VerifyPlan {

    private final List<TableInfo> tables;
    private final List<KeyRange> ranges;
    private final List<String> notes;
    private final Set<String> valueHashTables;

    private VerifyPlan(List<TableInfo> tables, List<KeyRange> ranges, List<String> notes, Set<String> valueHashTables) {
        this.tables = tables;
        this.ranges = ranges;
        this.notes = notes;
        this.valueHashTables = valueHashTables;
    }

    /** Tables both servers can checksum by value ({@code hash_record_extended}). */
    Set<String> valueHashTables() {
        return valueHashTables;
    }

    List<TableInfo> tables() {
        return tables;
    }

    List<KeyRange> ranges() {
        return ranges;
    }

    List<String> notes() {
        return notes;
    }

    static VerifyPlan make(JobConfig config, TargetConfig target, TargetConfig history) {
        List<TableInfo> tables = new ArrayList<>();
        List<KeyRange> ranges = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (Connection source = Connections.open(
                config.get(SourceOptions.URL), ReplicationJob.sourceConnectionProperties(config))) {
            RangePlanner planner = new RangePlanner(source, config.get(VerifyOptions.RANGE_ROWS));
            for (TableId id : tableIds(source, config)) {
                TableInfo table = Catalog.read(source, id).orElseThrow(() -> new IllegalStateException(
                        "Table " + id + " (" + SourceOptions.TABLES.key() + ") does not exist in the source database"));
                if (table.primaryKey().isEmpty()) {
                    notes.add("Table " + id + " has no primary key and was not verified");
                    continue;
                }
                tables.add(table);
                ranges.addAll(planner.plan(table));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Failed to plan the verification on the source ("
                    + Connections.redact(config.get(SourceOptions.URL)) + "): " + e.getMessage(), e);
        }
        if (history != null) {
            checkHistory(history, notes);
        }
        Set<String> valueHash = new LinkedHashSet<>();
        try (Connection source = Connections.open(
                        config.get(SourceOptions.URL), ReplicationJob.sourceConnectionProperties(config));
                Connection targetDb = Connections.open(target.url(), target.connectionProperties())) {
            for (TableInfo table : tables) {
                if (Catalog.read(targetDb, table.id()).isEmpty()) {
                    throw new IllegalStateException("Table " + table.id() + " does not exist in the target ("
                            + SinkOptions.POSTGRES_URL.key() + "=" + Connections.redact(target.url())
                            + "): the streaming job creates it at start; start it, or leave the table out of "
                            + SourceOptions.TABLES.key());
                }
                TableSql sql = new TableSql(table, true);
                if (canRun(source, sql.probeValueHash()) && canRun(targetDb, sql.probeValueHash())) {
                    valueHash.add(table.id().eventName());
                } else {
                    notes.add("Table " + table.id() + " is checksummed over its text (slower): a server is older than"
                            + " PostgreSQL 14 or a column type has no hash function");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Failed to plan the verification: " + e.getMessage(), e);
        }
        return new VerifyPlan(tables, ranges, notes, valueHash);
    }

    private static boolean canRun(Connection c, String query) {
        try (Statement s = c.createStatement()) {
            s.executeQuery(query).close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static Set<TableId> tableIds(Connection source, JobConfig config) throws SQLException {
        Set<TableId> ids = new LinkedHashSet<>();
        for (String name : config.names(SourceOptions.TABLES)) {
            ids.add(TableId.parse(name));
        }
        for (String schema : config.names(SourceOptions.SCHEMAS)) {
            ids.addAll(Catalog.listTables(source, TableId.parse(schema + ".x").schema()));
        }
        return ids;
    }

    /**
     * The history check looks up each row's last change by key; change_history is indexed by
     * position. Without an index by key each lookup reads the table's history, so a missing one
     * is named in the report with the statement that adds it. walflow does not add it itself:
     * CREATE INDEX waits for, or blocks, the history sink's transactions (CONCURRENTLY waits for
     * every transaction older than it, and exactly-once keeps one open per checkpoint).
     */
    private static void checkHistory(TargetConfig history, List<String> notes) {
        try (Connection c = Connections.open(history.url(), history.connectionProperties());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT to_regclass('" + history.walflowSchema().replace("'", "''")
                        + ".change_history') IS NOT NULL, to_regclass('" + history.walflowSchema().replace("'", "''")
                        + ".change_history_row_key') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                throw new IllegalStateException("There is no " + history.walflowSchema() + ".change_history in "
                        + Connections.redact(history.url()) + " to check; set verify.history=false or history.enabled=false");
            }
            if (!rs.getBoolean(2)) {
                notes.add("change_history has no index by key, so the history check reads each table's history per range;"
                        + " for large histories add one: CREATE INDEX CONCURRENTLY change_history_row_key ON "
                        + history.walflowSchema() + ".change_history (table_name, row_key)");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read change_history in " + Connections.redact(history.url()) + ": " + e.getMessage(), e);
        }
    }
}
