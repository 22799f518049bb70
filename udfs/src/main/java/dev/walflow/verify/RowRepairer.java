package dev.walflow.verify;

import dev.walflow.schema.Catalog;
import dev.walflow.schema.TableInfo;
import dev.walflow.sink.postgres.TargetRowWriter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Makes differing target rows equal to the source again while the streaming job runs, without
 * ever writing a row older than the one the target has, and without touching
 * {@code walflow.progress} (which would make the job skip changes).
 *
 * <p>How: in one source transaction the rows are locked ({@code SELECT ... FOR SHARE}), so no
 * newer version can be committed while the repair runs; then the source's WAL position is read
 * and the repair waits until the target has applied everything before it ({@link
 * TargetCatchUp}). At that point the locked source row is the newest version there is and the
 * pipeline has delivered every older one, so writing it cannot go back in time; a change made
 * after the locks are released reaches the target through the pipeline as usual. Rows are
 * written with the sink's own statements ({@link TargetRowWriter}), then the source lock is
 * released. A key absent at the source cannot be locked: its target row is deleted, and the key
 * is looked up again afterwards, so an insert that the pipeline applied just before the delete
 * is written back.
 *
 * <p>The lock needs the UPDATE privilege on the source table (it writes nothing there) and
 * blocks writers of those rows for about one checkpoint interval.
 */
final class RowRepairer {

    private static final String LOCK_TIMEOUT = "10s";

    private final Connection source;
    private final Connection target;
    private final TableSql sql;
    private final TargetCatchUp catchUp;
    private final Duration timeout;
    private TargetRowWriter writer;

    RowRepairer(Connection source, Connection target, TableSql sql, TargetCatchUp catchUp, Duration timeout) {
        this.source = source;
        this.target = target;
        this.sql = sql;
        this.catchUp = catchUp;
        this.timeout = timeout;
    }

    /** Repairs the rows; returns the keys whose target row now matches the source. */
    Set<List<String>> repair(List<RowDiff> diffs) throws SQLException, InterruptedException {
        List<List<String>> keys = new ArrayList<>();
        diffs.forEach(d -> keys.add(d.key));
        Set<List<String>> repaired = new HashSet<>();
        List<List<String>> deleted = new ArrayList<>();
        repairLocked(keys, repaired, deleted);
        List<List<String>> reappeared = new ArrayList<>();
        RangeComparer lookup = new RangeComparer(source, target, sql);
        for (List<String> key : deleted) {
            if (lookup.row(source, key) != null) {
                reappeared.add(key);
            }
        }
        if (!reappeared.isEmpty()) {
            repairLocked(reappeared, repaired, new ArrayList<>());
        }
        return repaired;
    }

    private void repairLocked(List<List<String>> keys, Set<List<String>> repaired, List<List<String>> deleted)
            throws SQLException, InterruptedException {
        TargetRowWriter w = writer();
        source.setAutoCommit(false);
        try {
            try (Statement s = source.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
            }
            Map<List<String>, String[]> values = new LinkedHashMap<>();
            Map<List<String>, String> canonical = new LinkedHashMap<>();
            for (List<String> key : keys) {
                lockAndRead(key, values, canonical);
            }
            String lsn = TargetCatchUp.sourcePosition(source);
            if (!catchUp.await(lsn, timeout)) {
                return;
            }
            target.setAutoCommit(false);
            try {
                RangeComparer lookup = new RangeComparer(source, target, sql);
                String[] columns = columnNames();
                for (List<String> key : keys) {
                    String want = canonical.get(key);
                    if (!Objects.equals(want, lookup.row(target, key))) {
                        if (want == null) {
                            w.delete(target, sql.table().primaryKey(), key);
                            deleted.add(key);
                        } else {
                            w.upsert(target, columns, values.get(key));
                        }
                    }
                    repaired.add(key);
                }
                target.commit();
            } catch (SQLException | RuntimeException e) {
                target.rollback();
                repaired.removeAll(keys);
                deleted.clear();
                throw e;
            } finally {
                target.setAutoCommit(true);
            }
        } finally {
            // Releases the row locks, after the target's commit.
            source.rollback();
            source.setAutoCommit(true);
        }
    }

    private void lockAndRead(List<String> key, Map<List<String>, String[]> values, Map<List<String>, String> canonical)
            throws SQLException {
        try (PreparedStatement ps = source.prepareStatement(sql.lockRow())) {
            for (int i = 0; i < key.size(); i++) {
                ps.setString(i + 1, key.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    int n = sql.table().columns().size();
                    String[] row = new String[n];
                    for (int i = 0; i < n; i++) {
                        row[i] = rs.getString(i + 1);
                    }
                    values.put(key, row);
                    canonical.put(key, rs.getString(n + 1));
                }
            }
        }
    }

    private String[] columnNames() {
        return sql.table().columns().stream().map(c -> c.name()).toArray(String[]::new);
    }

    private TargetRowWriter writer() throws SQLException {
        if (writer == null) {
            TableInfo table = Catalog.read(target, sql.table().id()).orElseThrow(() -> new IllegalStateException(
                    "Target table " + sql.table().id() + " does not exist; it cannot be repaired"));
            writer = new TargetRowWriter(table);
        }
        return writer;
    }
}
