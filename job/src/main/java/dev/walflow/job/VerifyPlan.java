package dev.walflow.job;

import dev.walflow.job.config.JobConfig;
import dev.walflow.job.config.SourceOptions;
import dev.walflow.job.config.VerifyOptions;
import dev.walflow.schema.Catalog;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.verify.KeyRange;
import dev.walflow.verify.RangePlanner;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a verification covers: the captured tables as the source defines them (those without a
 * primary key are left out, with a note), their key ranges, and the index on change_history
 * that finds a row's last change.
 */
final class VerifyPlan {

    private final List<TableInfo> tables;
    private final List<KeyRange> ranges;
    private final List<String> notes;

    private VerifyPlan(List<TableInfo> tables, List<KeyRange> ranges, List<String> notes) {
        this.tables = tables;
        this.ranges = ranges;
        this.notes = notes;
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
        try (Connection source = DriverManager.getConnection(
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
                    + Urls.redact(config.get(SourceOptions.URL)) + "): " + e.getMessage(), e);
        }
        if (history != null) {
            ensureHistoryIndex(history);
        }
        return new VerifyPlan(tables, ranges, notes);
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
     * change_history is indexed by position; the check looks up each row's last change by key.
     * Built once, concurrently, so the streaming job's inserts go on meanwhile.
     */
    private static void ensureHistoryIndex(TargetConfig history) {
        try (Connection c = DriverManager.getConnection(history.url(), history.connectionProperties());
                Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            s.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS change_history_row_key ON "
                    + history.walflowSchema() + ".change_history (table_name, row_key, lsn, change_lsn, ordinal)");
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot index change_history by key in " + Urls.redact(history.url())
                    + " (the history check needs it; or set verify.history=false): " + e.getMessage(), e);
        }
    }
}
