package dev.walflow.verify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Tells whether the target has applied every change the source committed before a WAL
 * position, and waits for it.
 *
 * <p>The target has when either
 * <ul>
 *   <li>every PostgreSQL sink subtask's row in {@code walflow.progress} stands at or past the
 *       position: a progress row's {@code lsn} is the end of the commit preceding the last
 *       transaction it wrote, so every transaction that ended at or before it was written (each
 *       subtask receives its rows in WAL order), or</li>
 *   <li>the slot's {@code confirmed_flush_lsn} stands at or past it: the job confirms the slot
 *       only once its sinks have committed (the safe-LSN gate), and this path also covers
 *       subtasks that received no row for a while, whose progress rows stay behind, and a quiet
 *       source (the job's heartbeats move the slot).</li>
 * </ul>
 */
final class TargetCatchUp {

    private static final long POLL_MILLIS = 200;

    private final Connection source;
    private final Connection target;
    private final String slotName;
    private final String progressTable;
    private final String jobName;
    private final String sinkName;

    /**
     * @param target the target with {@code walflow.progress}, or null to go by the slot alone
     * @param sinkName whose progress rows count: {@code postgres} or {@code history}
     */
    TargetCatchUp(Connection source, Connection target, String slotName, String walflowSchema, String jobName,
            String sinkName) {
        this.source = source;
        this.target = target;
        this.slotName = slotName;
        this.progressTable = walflowSchema + ".progress";
        this.jobName = jobName;
        this.sinkName = sinkName;
    }

    /**
     * The source's WAL insert position: every change committed before it, and every record
     * written after it lies at or above it (the write position may lag the insert position
     * when commits are asynchronous).
     */
    static String sourcePosition(Connection source) throws SQLException {
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    boolean caughtUp(String lsn) throws SQLException {
        if (target == null) {
            return slotPassed(lsn);
        }
        try (PreparedStatement ps = target.prepareStatement(
                "SELECT count(*) > 0 AND bool_and(lsn >= ?::pg_lsn) FROM " + progressTable + " WHERE job = ? AND sink = ?")) {
            ps.setString(1, lsn);
            ps.setString(2, jobName);
            ps.setString(3, sinkName);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    return true;
                }
            }
        } catch (SQLException e) {
            // No progress table (nothing written yet): the slot decides.
            if (!"42P01".equals(e.getSQLState())) {
                throw e;
            }
            if (!target.getAutoCommit()) {
                target.rollback();
            }
        }
        return slotPassed(lsn);
    }

    private boolean slotPassed(String lsn) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement(
                "SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, lsn);
            ps.setString(2, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Waits until {@link #caughtUp}; false when {@code timeout} passes first. */
    boolean await(String lsn, Duration timeout) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!caughtUp(lsn)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }
}
