package dev.walflow.source;

import dev.walflow.logging.LogFields;
import org.apache.flink.configuration.MemorySize;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Reads the slot's state from the source on the heartbeat's thread (one query per heartbeat, in
 * one subtask) and keeps what the gauges show: the source's WAL end, the slot's confirmed
 * position (under exactly-once: what every PostgreSQL sink has committed), the lag between them
 * in bytes and in seconds, and the WAL the slot holds back. Warns, and raises a gauge, when the
 * retained WAL passes {@code source.slot.max-retained-wal}; logs an error when the slot is gone
 * or invalidated (the source then fails, and its restart is refused with the fix).
 */
public final class SlotMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(SlotMonitor.class);

    /** Repeats the retained-WAL warning this often while the limit is exceeded. */
    private static final long WARNING_EVERY_MILLIS = 10 * 60_000L;
    /** (time, WAL end) samples kept to turn the byte lag into seconds. */
    private static final int MAX_SAMPLES = 4096;

    static final String QUERY =
            "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint, (s.confirmed_flush_lsn - '0/0'::pg_lsn)::bigint,"
                    + " (s.restart_lsn - '0/0'::pg_lsn)::bigint, s.wal_status, s.safe_wal_size, s.slot_name IS NOT NULL"
                    + " FROM (SELECT 1) one LEFT JOIN pg_replication_slots s ON s.slot_name = ?";

    private final String slot;
    private final long maxRetainedWal;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    private volatile long walLsn = -1;
    private volatile long confirmedLsn = -1;
    private volatile long retainedWal = -1;
    private volatile long safeWalSize = -1;
    private volatile long lagMillis = -1;
    private volatile boolean overLimit;
    private volatile long queryFailures;
    private long lastWarning;
    private String lastProblem;

    /** @param maxRetainedWal bytes of retained WAL that raise the warning; 0 or less: never */
    public SlotMonitor(String slot, long maxRetainedWal) {
        this.slot = slot;
        this.maxRetainedWal = maxRetainedWal;
    }

    /** Reads the slot's state now; a failure is counted and left to the caller (it reconnects). */
    public void poll(Connection connection) throws SQLException {
        try (LogFields f = LogFields.of(LogFields.SLOT, slot)) {
            read(connection);
        }
    }

    private void read(Connection connection) throws SQLException {
        long now = System.currentTimeMillis();
        try (PreparedStatement ps = connection.prepareStatement(QUERY)) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long current = rs.getLong(1);
                if (!rs.getBoolean(6)) {
                    problem("Replication slot '" + slot + "' does not exist any more: the source cannot go on from where"
                            + " it was. Re-snapshot: stop the job, then start it without state (see README, Operating)");
                    walLsn = current;
                    return;
                }
                long confirmed = rs.getLong(2);
                boolean confirmedKnown = !rs.wasNull();
                long restart = rs.getLong(3);
                boolean restartKnown = !rs.wasNull();
                String walStatus = rs.getString(4);
                long safe = rs.getLong(5);
                boolean safeKnown = !rs.wasNull();
                if ("lost".equals(walStatus)) {
                    problem("Replication slot '" + slot + "' was invalidated (wal_status=lost): the WAL it needed was"
                            + " removed (max_slot_wal_keep_size), so changes are lost. Re-snapshot: stop the job, drop"
                            + " the slot, start the job without state");
                } else {
                    lastProblem = null;
                }
                record(now, current, confirmedKnown ? confirmed : -1, restartKnown ? current - restart : -1,
                        safeKnown ? safe : -1);
            }
        } catch (SQLException e) {
            queryFailures++;
            throw e;
        }
    }

    private void record(long now, long current, long confirmed, long retained, long safe) {
        walLsn = current;
        confirmedLsn = confirmed;
        retainedWal = retained;
        safeWalSize = safe;
        if (samples.isEmpty() || samples.peekLast()[1] != current) {
            samples.addLast(new long[] {now, current});
            while (samples.size() > MAX_SAMPLES) {
                samples.pollFirst();
            }
        }
        lagMillis = confirmed < 0 ? -1 : lagMillis(now, confirmed);
        boolean over = maxRetainedWal > 0 && retained > maxRetainedWal;
        if (over && (!overLimit || now - lastWarning >= WARNING_EVERY_MILLIS)) {
            lastWarning = now;
            LOG.warn("Replication slot '{}' holds back {} of WAL, more than source.slot.max-retained-wal ({})."
                            + " The job is not confirming positions (is it failing, back-pressured, or a sink down?);"
                            + " the source's disk fills until it does, or until max_slot_wal_keep_size invalidates the slot",
                    slot, bytes(retained), bytes(maxRetainedWal));
        } else if (!over && overLimit) {
            LOG.info("Replication slot '{}' is back under source.slot.max-retained-wal: {} of WAL retained",
                    slot, bytes(retained));
        }
        overLimit = over;
    }

    /**
     * How long ago the confirmed position was the source's WAL end: the time of the newest
     * sample at or below it (an upper bound), or of the oldest sample when it is older still.
     */
    private long lagMillis(long now, long confirmed) {
        if (Long.compareUnsigned(confirmed, walLsn) >= 0) {
            return 0;
        }
        long at = samples.isEmpty() ? now : samples.peekFirst()[0];
        for (Iterator<long[]> it = samples.iterator(); it.hasNext(); ) {
            long[] s = it.next();
            if (Long.compareUnsigned(s[1], confirmed) > 0) {
                break;
            }
            at = s[0];
        }
        return Math.max(0, now - at);
    }

    private static String bytes(long n) {
        return new MemorySize(Math.max(0, n)).toHumanReadableString();
    }

    private void problem(String message) {
        if (!message.equals(lastProblem)) {
            LOG.error(message);
            lastProblem = message;
        }
    }

    public long walLsn() {
        return walLsn;
    }

    public long confirmedLsn() {
        return confirmedLsn;
    }

    /** Source WAL end minus the slot's confirmed position; -1 while unknown. */
    public long lagBytes() {
        long w = walLsn;
        long c = confirmedLsn;
        return w < 0 || c < 0 ? -1 : Math.max(0, w - c);
    }

    public long lagSeconds() {
        long l = lagMillis;
        return l < 0 ? -1 : l / 1000;
    }

    public long retainedWalBytes() {
        return retainedWal;
    }

    public long safeWalSizeBytes() {
        return safeWalSize;
    }

    public boolean overLimit() {
        return overLimit;
    }

    public long queryFailures() {
        return queryFailures;
    }
}
