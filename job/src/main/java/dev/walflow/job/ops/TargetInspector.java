package dev.walflow.job.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.walflow.jdbc.Connections;
import dev.walflow.sink.txn.TargetConfig;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** What the operating tools read from a target: progress rows and walflow's prepared transactions. */
final class TargetInspector {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private TargetInspector() {}

    static Connection connect(TargetConfig target) throws SQLException {
        return Connections.open(target.url(), target.connectionProperties());
    }

    /**
     * The job's progress rows: per sink subtask the position committed with its data, when, and
     * how far behind the source's WAL end ({@code sourceLsn}, -1: unknown) it is.
     */
    static ArrayNode progress(Connection c, TargetConfig target, long sourceLsn) throws SQLException {
        ArrayNode out = JSON.arrayNode();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT sink, subtask, lsn::text, (lsn - '0/0'::pg_lsn)::bigint, committed_at::text,"
                        + " extract(epoch FROM now() - committed_at)::float8 FROM " + target.walflowSchema()
                        + ".progress WHERE job = ? ORDER BY sink, subtask")) {
            ps.setString(1, target.jobName());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode n = out.addObject().put("sink", rs.getString(1)).put("subtask", rs.getInt(2))
                            .put("lsn", rs.getString(3)).put("committedAt", rs.getString(5))
                            .put("ageSeconds", Math.round(rs.getDouble(6)));
                    // Snapshot rows carry position 0/0: no byte lag to tell until a change is written.
                    if (sourceLsn >= 0 && rs.getLong(4) > 0) {
                        n.put("lagBytes", Math.max(0, sourceLsn - rs.getLong(4)));
                    } else {
                        n.putNull("lagBytes");
                    }
                }
            }
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) {
                throw e;
            }
            // No progress table yet: the job never ran against this target.
        }
        return out;
    }

    /** walflow's prepared transactions in this database, of every job ({@code walflow:} names). */
    static ArrayNode prepared(Connection c) throws SQLException {
        ArrayNode out = JSON.arrayNode();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT gid, prepared::text, extract(epoch FROM now() - prepared)::float8, owner FROM pg_prepared_xacts"
                        + " WHERE database = current_database() AND starts_with(gid, 'walflow:') ORDER BY prepared")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.addObject().put("gid", rs.getString(1)).put("preparedAt", rs.getString(2))
                            .put("ageSeconds", Math.round(rs.getDouble(3))).put("owner", rs.getString(4));
                }
            }
        }
        return out;
    }

    static ObjectNode describe(String role, TargetConfig target) {
        return JSON.objectNode().put("role", role).put("url", Connections.redact(target.url()));
    }
}
