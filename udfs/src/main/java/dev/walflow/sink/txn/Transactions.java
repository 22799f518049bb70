package dev.walflow.sink.txn;

import dev.walflow.model.Position;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Prepared transactions and the progress table on a target. */
public final class Transactions {

    /** SQLSTATE of "prepared transaction with identifier ... does not exist". */
    static final String UNDEFINED_OBJECT = "42704";

    private Transactions() {}

    /** Names walflow's transactions: {@code walflow:<sink>:<job>:<subtask>:<n>}. */
    public static String gidPrefix(String sink, String job, int subtask) {
        return jobGidPrefix(sink, job) + subtask + ":";
    }

    /** The start of every transaction name a sink of a job gives, whatever the subtask. */
    public static String jobGidPrefix(String sink, String job) {
        return "walflow:" + sink + ":" + job + ":";
    }

    public static List<String> prepared(Connection c, String prefix) throws SQLException {
        List<String> gids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND starts_with(gid, ?) ORDER BY prepared")) {
            ps.setString(1, prefix);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    gids.add(rs.getString(1));
                }
            }
        }
        return gids;
    }

    /** Runs outside any transaction block, as PostgreSQL requires. */
    public static void rollbackPrepared(Connection autocommit, String gid) throws SQLException {
        try (Statement s = autocommit.createStatement()) {
            s.execute("ROLLBACK PREPARED " + literal(gid));
        }
    }

    public static void commitPrepared(Connection autocommit, String gid) throws SQLException {
        try (Statement s = autocommit.createStatement()) {
            s.execute("COMMIT PREPARED " + literal(gid));
        }
    }

    public static void prepare(Connection inTransaction, String gid) throws SQLException {
        try (Statement s = inTransaction.createStatement()) {
            s.execute("PREPARE TRANSACTION " + literal(gid));
        }
    }

    /** Fails with the fix when the target cannot prepare transactions. */
    public static void requirePreparedTransactions(Connection c, String what) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW max_prepared_transactions")) {
            rs.next();
            if (rs.getInt(1) <= 0) {
                throw new IllegalStateException(
                        what + " has max_prepared_transactions = 0, so exactly-once delivery cannot prepare its"
                                + " transactions: set max_prepared_transactions (at least the sink parallelism x 2) in"
                                + " postgresql.conf and restart it, or run with sink.delivery-guarantee=at-least-once");
            }
        }
    }

    public static String createProgressTableSql(String schema) {
        return "CREATE TABLE IF NOT EXISTS " + schema + ".progress ("
                + " job text NOT NULL, sink text NOT NULL, subtask int NOT NULL,"
                + " lsn pg_lsn NOT NULL, change_lsn pg_lsn NOT NULL, ordinal int NOT NULL,"
                + " committed_at timestamptz NOT NULL DEFAULT now(),"
                + " PRIMARY KEY (job, sink, subtask))";
    }

    /** Records, inside the data's transaction, the position this subtask has written up to. */
    public static void writeProgress(Connection c, String schema, String sink, String job, int subtask, Position p)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + schema + ".progress (job, sink, subtask, lsn, change_lsn, ordinal, committed_at)"
                        + " VALUES (?, ?, ?, ?::pg_lsn, ?::pg_lsn, ?, now())"
                        + " ON CONFLICT (job, sink, subtask) DO UPDATE SET lsn = EXCLUDED.lsn,"
                        + " change_lsn = EXCLUDED.change_lsn, ordinal = EXCLUDED.ordinal, committed_at = now()")) {
            ps.setString(1, job);
            ps.setString(2, sink);
            ps.setInt(3, subtask);
            ps.setString(4, Position.formatLsn(p.lsn));
            ps.setString(5, Position.formatLsn(p.changeLsn));
            ps.setInt(6, p.ordinal);
            ps.executeUpdate();
        }
    }

    /** The committed progress of one subtask, or null. */
    public static Position readProgress(Connection c, String schema, String sink, String job, int subtask)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT (lsn - '0/0'::pg_lsn)::bigint, (change_lsn - '0/0'::pg_lsn)::bigint, ordinal FROM "
                        + schema + ".progress WHERE job = ? AND sink = ? AND subtask = ?")) {
            ps.setString(1, job);
            ps.setString(2, sink);
            ps.setInt(3, subtask);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Position(rs.getLong(1), rs.getLong(2), rs.getInt(3)) : null;
            }
        }
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
