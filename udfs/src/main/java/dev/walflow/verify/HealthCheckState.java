package dev.walflow.verify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * {@code <walflow.schema>.health_check_state} in the PostgreSQL target: one row per
 * verification run, with seed 000's metrics (tables checked, records scanned, missing changes,
 * synthetic changes created, duration, errors) and the mismatches by kind. Ranges add to it as
 * they finish, so the row shows a run's progress while it goes; the run writes the totals at
 * the end.
 */
public final class HealthCheckState {

    private final String schema;
    private final String table;

    /** @param walflowSchema the quoted schema */
    public HealthCheckState(String walflowSchema) {
        this.schema = walflowSchema;
        this.table = walflowSchema + ".health_check_state";
    }

    public String ddl() {
        return "CREATE TABLE IF NOT EXISTS " + table + " ("
                + " id bigserial PRIMARY KEY,"
                + " job text NOT NULL,"
                + " mode text NOT NULL,"
                + " status text NOT NULL,"
                + " started_at timestamptz NOT NULL DEFAULT now(),"
                + " finished_at timestamptz,"
                + " tables_checked int NOT NULL DEFAULT 0,"
                + " ranges_total int NOT NULL DEFAULT 0,"
                + " ranges_done int NOT NULL DEFAULT 0,"
                + " records_scanned bigint NOT NULL DEFAULT 0,"
                + " missing_rows bigint NOT NULL DEFAULT 0,"
                + " extra_rows bigint NOT NULL DEFAULT 0,"
                + " different_rows bigint NOT NULL DEFAULT 0,"
                + " lagging_rows bigint NOT NULL DEFAULT 0,"
                + " rows_repaired bigint NOT NULL DEFAULT 0,"
                + " missing_changes bigint NOT NULL DEFAULT 0,"
                + " synthetic_changes_created bigint NOT NULL DEFAULT 0,"
                + " duration_ms bigint,"
                + " error_count int NOT NULL DEFAULT 0,"
                + " errors jsonb,"
                + " report jsonb)";
    }

    /** Creates the table when missing and a row for a new run; returns its id. */
    public long start(Connection c, String job, String mode, int tables, int ranges) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            s.execute(ddl());
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
                + " (job, mode, status, tables_checked, ranges_total) VALUES (?, ?, 'running', ?, ?) RETURNING id")) {
            ps.setString(1, job);
            ps.setString(2, mode);
            ps.setInt(3, tables);
            ps.setInt(4, ranges);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Adds one finished range. */
    public void addRange(Connection c, long id, RangeResult r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET ranges_done = ranges_done + 1,"
                + " records_scanned = records_scanned + ?, missing_rows = missing_rows + ?, extra_rows = extra_rows + ?,"
                + " different_rows = different_rows + ?, lagging_rows = lagging_rows + ?, rows_repaired = rows_repaired + ?,"
                + " missing_changes = missing_changes + ?, synthetic_changes_created = synthetic_changes_created + ?,"
                + " error_count = error_count + ? WHERE id = ?")) {
            int next = bindCounts(ps, 1, r);
            ps.setInt(next, r.errors.size());
            ps.setLong(next + 1, id);
            ps.executeUpdate();
        }
    }

    /** Progress so far: ranges done, ranges in all, records scanned, mismatches. */
    public long[] progress(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ranges_done, ranges_total, records_scanned,"
                + " missing_rows + extra_rows + different_rows FROM " + table + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)} : null;
            }
        }
    }

    /** Writes the run's totals and outcome. */
    public void finish(Connection c, long id, VerifyReport report) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET status = ?, finished_at = now(),"
                + " tables_checked = ?, records_scanned = ?, missing_rows = ?, extra_rows = ?, different_rows = ?,"
                + " lagging_rows = ?, rows_repaired = ?, missing_changes = ?, synthetic_changes_created = ?,"
                + " duration_ms = ?, error_count = ?, errors = ?::jsonb, report = ?::jsonb WHERE id = ?")) {
            ps.setString(1, report.status().label());
            ps.setInt(2, report.tablesChecked);
            int next = bindCounts(ps, 3, report);
            ps.setLong(next, report.durationMillis);
            ps.setInt(next + 1, report.errors.size());
            ps.setString(next + 2, report.errorsJson());
            ps.setString(next + 3, report.toJson());
            ps.setLong(next + 4, id);
            ps.executeUpdate();
        }
    }

    /**
     * Binds the counts both statements store, in their column order (records_scanned, missing_rows,
     * extra_rows, different_rows, lagging_rows, rows_repaired, missing_changes,
     * synthetic_changes_created) from parameter {@code from}; returns the next parameter's index.
     */
    private static int bindCounts(PreparedStatement ps, int from, VerifyCounts c) throws SQLException {
        long[] counts = {c.recordsScanned, c.missing, c.extra, c.different, c.laggingRows(), c.rowsRepaired(),
                c.historyMismatches(), c.syntheticChanges};
        for (int i = 0; i < counts.length; i++) {
            ps.setLong(from + i, counts[i]);
        }
        return from + counts.length;
    }
}
