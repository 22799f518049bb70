package dev.walflow.verify;

import dev.walflow.sink.clickhouse.ClickHouseRepairWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Mends keys the ClickHouse copy lacks or has too many, while the streaming job runs. A repair
 * row must replace every version the pipeline wrote of its key and lose to every later change;
 * versions are the changes' WAL positions, so it takes the source's WAL insert position read
 * while the rows are locked.
 *
 * <p>A missing key: its source row is locked ({@code SELECT ... FOR SHARE}), the WAL position is
 * read, and the row is inserted at that version before the lock is released. Every version the
 * pipeline has of the row was written to the WAL before it; any later change waits for the lock
 * and so lands after it, with a greater version. An extra key (no source row, nothing to lock):
 * the key is inserted as deleted at the WAL position. A later insert of the key is written to
 * the WAL after that position and wins, except one by a transaction that wrote it before and
 * had not yet committed; so the repair waits for the transactions running at that moment to
 * end and looks the key up again, and a key that now exists is repaired as a missing one.
 */
final class ClickHouseRepairer {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseRepairer.class);
    private static final String LOCK_TIMEOUT = "10s";
    private static final long POLL_MILLIS = 200;

    private final Connection source;
    private final Connection clickHouse;
    private final TableSql sql;
    private final ClickHouseRepairWriter writer;
    private final Duration timeout;

    ClickHouseRepairer(Connection source, Connection clickHouse, TableSql sql, ClickHouseRepairWriter writer,
            Duration timeout) {
        this.source = source;
        this.clickHouse = clickHouse;
        this.sql = sql;
        this.writer = writer;
        this.timeout = timeout;
    }

    /** Writes the repair rows; keys are the checker's texts (columns joined by the unit separator). */
    void repair(Collection<String> missing, Collection<String> extra) throws SQLException, InterruptedException {
        String running = writeLocked(missing, extra);
        if (extra.isEmpty()) {
            return;
        }
        if (!awaitEnded(running)) {
            // A key such a transaction inserts is left for the next verification to find.
            LOG.warn("Source transactions older than the ClickHouse repair of {} did not end within {}; extra keys were"
                    + " not looked up again", sql.table().id(), timeout);
            return;
        }
        List<String> reappeared = new ArrayList<>();
        for (String key : extra) {
            try (PreparedStatement ps = source.prepareStatement(sql.rowByKey())) {
                bindKey(ps, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        reappeared.add(key);
                    }
                }
            }
        }
        if (!reappeared.isEmpty()) {
            writeLocked(reappeared, List.of());
        }
    }

    /**
     * Locks and reads the missing keys' rows, inserts them and the extra keys (deleted) at the
     * WAL position, then releases the locks. Returns the source's snapshot taken just after the
     * position was read: the transactions it lists as running may still commit older changes.
     */
    private String writeLocked(Collection<String> missing, Collection<String> extra) throws SQLException {
        source.setAutoCommit(false);
        try {
            try (Statement s = source.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
            }
            List<String[]> rows = new ArrayList<>();
            for (String key : missing) {
                try (PreparedStatement ps = source.prepareStatement(sql.lockRow())) {
                    bindKey(ps, key);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            String[] row = new String[sql.table().columns().size()];
                            for (int i = 0; i < row.length; i++) {
                                row[i] = rs.getString(i + 1);
                            }
                            rows.add(row);
                        }
                        // A row deleted meanwhile: its DELETE reaches ClickHouse through the pipeline.
                    }
                }
            }
            long version = Long.parseLong(single("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::text"));
            // A statement of its own, after the position: every transaction that wrote before it is listed.
            String running = single("SELECT pg_current_snapshot()::text");
            List<List<String>> deleted = new ArrayList<>();
            extra.forEach(k -> deleted.add(split(k)));
            writer.write(clickHouse, rows, deleted, version);
            return running;
        } finally {
            // Releases the row locks, after ClickHouse acknowledged the insert.
            source.rollback();
            source.setAutoCommit(true);
        }
    }

    /** Waits until no transaction the snapshot saw running is still in progress. */
    private boolean awaitEnded(String snapshot) throws SQLException, InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        String query = "SELECT count(*) FROM pg_snapshot_xip(?::pg_snapshot) x WHERE pg_xact_status(x) = 'in progress'";
        while (true) {
            try (PreparedStatement ps = source.prepareStatement(query)) {
                ps.setString(1, snapshot);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return true;
                    }
                }
            }
            if (System.currentTimeMillis() >= deadline) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private String single(String query) throws SQLException {
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void bindKey(PreparedStatement ps, String key) throws SQLException {
        List<String> parts = split(key);
        for (int i = 0; i < parts.size(); i++) {
            ps.setString(i + 1, parts.get(i));
        }
    }

    static List<String> split(String key) {
        return List.of(key.split("\u001f", -1));
    }
}
