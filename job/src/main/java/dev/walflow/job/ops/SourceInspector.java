package dev.walflow.job.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.walflow.model.Position;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/** What the operating tools read from the source: the job's slot, its leftovers, publications. */
final class SourceInspector {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private SourceInspector() {}

    /** The slot with its lag (bytes and, while streaming, pg_stat_replication's intervals), or exists=false. */
    static ObjectNode slot(Connection c, String slot) throws SQLException {
        ObjectNode out = JSON.objectNode().put("name", slot);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT s.active, s.wal_status, s.confirmed_flush_lsn::text, s.restart_lsn::text,"
                        + " (pg_current_wal_lsn() - s.confirmed_flush_lsn)::bigint,"
                        + " (pg_current_wal_lsn() - s.restart_lsn)::bigint, s.safe_wal_size, s.plugin, s.database,"
                        + " (pg_current_wal_lsn() - r.write_lsn)::bigint, (pg_current_wal_lsn() - r.flush_lsn)::bigint,"
                        + " (pg_current_wal_lsn() - r.replay_lsn)::bigint, extract(epoch FROM r.write_lag)::float8,"
                        + " extract(epoch FROM r.flush_lag)::float8, extract(epoch FROM r.replay_lag)::float8"
                        + " FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid"
                        + " WHERE s.slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return out.put("exists", false);
                }
                out.put("exists", true)
                        .put("active", rs.getBoolean(1))
                        .put("walStatus", rs.getString(2))
                        .put("confirmedFlushLsn", rs.getString(3))
                        .put("restartLsn", rs.getString(4));
                putLong(out, "lagBytes", rs, 5);
                putLong(out, "retainedWalBytes", rs, 6);
                putLong(out, "safeWalSizeBytes", rs, 7);
                out.put("plugin", rs.getString(8)).put("database", rs.getString(9));
                // Seed 000's lag status: replay, write and flush, in bytes behind the WAL's end
                // and, while the slot streams, PostgreSQL's own measured delays in seconds.
                ObjectNode lag = out.putObject("lag");
                lag.set("write", lagOf(rs, 10, 13));
                lag.set("flush", lagOf(rs, 11, 14));
                lag.set("replay", lagOf(rs, 12, 15));
                return out;
            }
        }
    }

    private static ObjectNode lagOf(ResultSet rs, int bytesColumn, int secondsColumn) throws SQLException {
        ObjectNode n = JSON.objectNode();
        putLong(n, "bytes", rs, bytesColumn);
        double seconds = rs.getDouble(secondsColumn);
        if (rs.wasNull()) {
            n.putNull("seconds");
        } else {
            n.put("seconds", seconds);
        }
        return n;
    }

    /** Slots named {@code <slot>_<digits>}: what a snapshot with backfill borrows and may leave behind. */
    static ArrayNode snapshotSlots(Connection c, String slot) throws SQLException {
        ArrayNode out = JSON.arrayNode();
        Pattern leftover = Pattern.compile(Pattern.quote(slot) + "_[0-9]+");
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT slot_name, active, wal_status, database = current_database()"
                        + " FROM pg_replication_slots WHERE slot_type = 'logical' ORDER BY slot_name")) {
            while (rs.next()) {
                if (leftover.matcher(rs.getString(1)).matches() && rs.getBoolean(4)) {
                    out.addObject().put("name", rs.getString(1)).put("active", rs.getBoolean(2))
                            .put("walStatus", rs.getString(3));
                }
            }
        }
        return out;
    }

    /** Every logical slot of the source's database. */
    static ArrayNode slots(Connection c) throws SQLException {
        ArrayNode out = JSON.arrayNode();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT slot_name, plugin, active, wal_status, confirmed_flush_lsn::text,"
                        + " (pg_current_wal_lsn() - restart_lsn)::bigint FROM pg_replication_slots"
                        + " WHERE database = current_database() ORDER BY slot_name")) {
            while (rs.next()) {
                ObjectNode n = out.addObject().put("name", rs.getString(1)).put("plugin", rs.getString(2))
                        .put("active", rs.getBoolean(3)).put("walStatus", rs.getString(4))
                        .put("confirmedFlushLsn", rs.getString(5));
                putLong(n, "retainedWalBytes", rs, 6);
            }
        }
        return out;
    }

    static ArrayNode publications(Connection c) throws SQLException {
        ArrayNode out = JSON.arrayNode();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT p.pubname, p.puballtables, coalesce(array_agg(t.schemaname || '.'"
                        + " || t.tablename ORDER BY t.schemaname, t.tablename) FILTER (WHERE t.tablename IS NOT NULL), '{}')"
                        + " FROM pg_publication p LEFT JOIN pg_publication_tables t ON t.pubname = p.pubname"
                        + " GROUP BY p.pubname, p.puballtables ORDER BY p.pubname")) {
            while (rs.next()) {
                ObjectNode n = out.addObject().put("name", rs.getString(1)).put("allTables", rs.getBoolean(2));
                ArrayNode tables = n.putArray("tables");
                for (String t : (String[]) rs.getArray(3).getArray()) {
                    tables.add(t);
                }
            }
        }
        return out;
    }

    static long currentLsn(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String lsnText(long lsn) {
        return Position.formatLsn(lsn);
    }

    static void putLong(ObjectNode n, String field, ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        if (rs.wasNull()) {
            n.putNull(field);
        } else {
            n.put(field, v);
        }
    }
}
