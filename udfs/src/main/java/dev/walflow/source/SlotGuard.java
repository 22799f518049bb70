package dev.walflow.source;

import dev.walflow.jdbc.Connections;
import dev.walflow.logging.LogFields;
import dev.walflow.model.Position;
import org.apache.flink.cdc.connectors.base.source.meta.offset.Offset;
import org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplit;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Refuses to stream from a slot that cannot continue where the job's state says it is: gone,
 * invalidated ({@code wal_status = 'lost'}), or confirmed past the position the stream resumes
 * from. PostgreSQL starts a logical stream at the slot's confirmed position whatever the client
 * asks for, so a slot dropped while the job was stopped (and created again at start), or one
 * restored from an older checkpoint, would silently skip every change in between. Checked when
 * the source reader gets its stream split (fresh, restored or after a failover); the job then
 * fails for good, with the fix, instead of restarting into the same hole.
 */
public final class SlotGuard implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SlotGuard.class);

    private final String url;
    private final Properties properties;
    private final String slot;

    public SlotGuard(String url, Properties properties, String slot) {
        this.url = url;
        this.properties = properties;
        this.slot = slot;
    }

    /**
     * The LSN a checkpoint holding this split confirms to the slot once it completes ({@code
     * lsn}), or -1 for another split or an unknown position.
     */
    public static long checkpointLsn(Object split) {
        return offsetLsn(split, ResumeOffsets.LSN);
    }

    /**
     * How far the slot may be confirmed for a stream resuming from this split: the larger of
     * its {@code lsn} and its last commit LSN, or -1 for another split or an unknown position.
     * {@code lsn} alone is not the bound: a logical-decoding message written while a long
     * transaction was being written (walflow's heartbeat during a COPY) is streamed before that
     * transaction, and a checkpoint then confirms the message's LSN; the transaction's changes,
     * streamed next, carry lower LSNs. PostgreSQL still sends that transaction, which commits
     * after the confirmed position.
     */
    public static long resumeLsn(Object split) {
        return Math.max(offsetLsn(split, ResumeOffsets.LSN), offsetLsn(split, ResumeOffsets.COMMIT));
    }

    private static long offsetLsn(Object split, String key) {
        if (!(split instanceof StreamSplit)) {
            return -1;
        }
        Offset start = ((StreamSplit) split).getStartingOffset();
        if (start == null || start.getOffset() == null) {
            return -1;
        }
        String lsn = start.getOffset().get(key);
        try {
            long value = lsn == null ? -1 : Long.parseLong(lsn);
            return value > 0 ? value : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Checks the slot against the position a stream split resumes from (-1: unknown). */
    public void check(long resumeLsn) {
        try (LogFields f = LogFields.of(LogFields.SLOT, slot, LogFields.POSITION,
                resumeLsn > 0 ? Position.formatLsn(resumeLsn) : null)) {
            checkSlot(resumeLsn);
        }
    }

    private void checkSlot(long resumeLsn) {
        Properties p = new Properties();
        p.putAll(properties);
        p.setProperty("socketTimeout", "30");
        try (Connection c = Connections.open(url, p);
                PreparedStatement ps = c.prepareStatement(
                        "SELECT wal_status, (confirmed_flush_lsn - '0/0'::pg_lsn)::bigint FROM pg_replication_slots"
                                + " WHERE slot_name = ? AND database = current_database()")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw fatal("Replication slot '" + slot + "' does not exist: it was dropped while the job was"
                            + " stopped or failing, and the changes since its last confirmed position are gone.");
                }
                if ("lost".equals(rs.getString(1))) {
                    throw fatal("Replication slot '" + slot + "' was invalidated (wal_status=lost): PostgreSQL removed"
                            + " WAL it still needed (max_slot_wal_keep_size), so changes are lost.");
                }
                long confirmed = rs.getLong(2);
                if (!rs.wasNull() && resumeLsn > 0 && Long.compareUnsigned(confirmed, resumeLsn) > 0) {
                    throw fatal("Replication slot '" + slot + "' is confirmed up to " + Position.formatLsn(confirmed)
                            + ", past the position " + Position.formatLsn(resumeLsn) + " this job resumes from: the slot"
                            + " was dropped and created again while the job was stopped (or the job was restored from an"
                            + " older checkpoint than its last), so the changes in between are gone from the slot.");
                }
            }
            LOG.info("Replication slot '{}' can resume the stream from {}", slot,
                    resumeLsn > 0 ? Position.formatLsn(resumeLsn) : "its confirmed position");
        } catch (SQLException e) {
            // Not a verdict on the slot: the stream's own connection will fail or succeed on its own.
            LOG.warn("Could not check replication slot '{}' before streaming: {}", slot, e.getMessage());
        }
    }

    private SuppressRestartsException fatal(String what) {
        String message = what + " Re-snapshot: cancel the job, drop the slot (deploy/slot.sh --config FILE drop),"
                + " and start the job without state (no savepoint, empty checkpoint.dir); target tables are"
                + " rewritten by the snapshot.";
        LOG.error(message);
        return new SuppressRestartsException(new IllegalStateException(message));
    }
}
