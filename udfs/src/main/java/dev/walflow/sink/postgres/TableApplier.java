package dev.walflow.sink.postgres;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import dev.walflow.schema.TableInfo;
import dev.walflow.sink.txn.StatementCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one table's pending changes with batched statements: deletes, then whole-row upserts
 * (snapshot rows copied where they can be), then partial updates (rows whose unchanged TOAST
 * columns were not in the WAL). Each keyed row appears once per batch, so the order between
 * rows does not matter; a key-less table's changes are written in stream order.
 */
final class TableApplier {

    private static final Logger LOG = LoggerFactory.getLogger(TableApplier.class);

    private final TableStatements statements;
    private final StatementCache cache;
    private final int bulkMinRows;
    private final SnapshotCopyModes snapshotModes;

    /**
     * @param bulkMinRows upserts of one column list from which on {@link #bulkUpsert} writes them
     * @param snapshotModes how each table's snapshot rows are written ({@link #copySnapshotRows});
     *     this applier sets a table's mode when it finds out
     */
    TableApplier(TableStatements statements, StatementCache cache, int bulkMinRows, SnapshotCopyModes snapshotModes) {
        this.statements = statements;
        this.cache = cache;
        this.bulkMinRows = bulkMinRows;
        this.snapshotModes = snapshotModes;
    }

    /** Returns the number of statements executed (rows attempted). */
    int apply(PendingChanges pending) throws SQLException {
        return pending.ordered().isEmpty() ? applyKeyed(pending.keyed()) : applyInOrder(pending.ordered());
    }

    private int applyKeyed(Iterable<ChangeEvent> changes) throws SQLException {
        List<ChangeEvent> deletes = new ArrayList<>();
        Map<List<String>, List<ChangeEvent>> upserts = new LinkedHashMap<>();
        Map<List<String>, List<ChangeEvent>> partial = new LinkedHashMap<>();
        for (ChangeEvent e : changes) {
            if (e.op == Operation.DELETE) {
                deletes.add(e);
            } else if (e.hasUnchangedToast()) {
                partial.computeIfAbsent(presentColumns(e), k -> new ArrayList<>()).add(e);
            } else {
                upserts.computeIfAbsent(Arrays.asList(e.columns), k -> new ArrayList<>()).add(e);
            }
        }
        int rows = 0;
        if (!deletes.isEmpty()) {
            PreparedStatement ps = cache.get(statements.deleteByKey());
            for (ChangeEvent e : deletes) {
                bindKey(ps, 1, e);
                ps.addBatch();
            }
            ps.executeBatch();
            rows += deletes.size();
        }
        for (Map.Entry<List<String>, List<ChangeEvent>> group : upserts.entrySet()) {
            List<String> columns = group.getKey();
            if (group.getValue().size() >= bulkMinRows && copySnapshotRows(columns, group.getValue())) {
                rows += group.getValue().size();
                continue;
            }
            if (group.getValue().size() >= bulkMinRows && bulkCastable(columns)) {
                bulkUpsert(columns, group.getValue());
                rows += group.getValue().size();
                continue;
            }
            PreparedStatement ps = cache.get(statements.upsert(columns));
            for (ChangeEvent e : group.getValue()) {
                for (int i = 0; i < e.after.length; i++) {
                    ps.setString(i + 1, e.after[i]);
                }
                ps.addBatch();
            }
            ps.executeBatch();
            rows += group.getValue().size();
        }
        for (Map.Entry<List<String>, List<ChangeEvent>> group : partial.entrySet()) {
            List<String> set = group.getKey();
            PreparedStatement ps = cache.get(statements.updateByKey(set));
            for (ChangeEvent e : group.getValue()) {
                int p = 1;
                for (int i = 0; i < e.after.length; i++) {
                    if (!ChangeEvent.UNCHANGED_TOAST.equals(e.after[i])) {
                        ps.setString(p++, e.after[i]);
                    }
                }
                bindKey(ps, p, e);
                ps.addBatch();
            }
            ps.executeBatch();
            rows += group.getValue().size();
        }
        return rows;
    }

    /**
     * Upserts many whole rows with one statement: one {@code text[]} per column instead of a
     * bound parameter per value, so the target parses, plans and executes once per batch and
     * not once per rewritten group of rows. Keys are distinct: the batch holds one state per row.
     */
    private void bulkUpsert(List<String> columns, List<ChangeEvent> rows) throws SQLException {
        PreparedStatement ps = cache.get(statements.bulkUpsert(columns));
        Connection connection = ps.getConnection();
        for (int i = 0; i < columns.size(); i++) {
            String[] values = new String[rows.size()];
            for (int r = 0; r < values.length; r++) {
                values[r] = rows.get(r).after[i];
            }
            Array array = connection.createArrayOf("text", values);
            ps.setArray(i + 1, array);
        }
        ps.executeUpdate();
    }

    /**
     * Writes snapshot rows with {@code COPY ... FROM STDIN}, PostgreSQL's cheapest way in, where
     * the upsert spent about three times the server's own insert cost per row (BENCHMARKS.md).
     * COPY cannot update, so a key already in the target (a chunk read again after a restore, a
     * target that was not empty) must be found first: a table empty at its first snapshot batch
     * is copied from then on; otherwise each batch's keys are looked up, and the first batch that
     * finds one turns the rest of the table's snapshot into upserts.
     *
     * <p>Not a savepoint around each COPY: a savepoint that writes is a
     * subtransaction, and an exactly-once transaction holds a checkpoint's worth of batches (at
     * the default 10 s interval, hundreds). Past 64 subtransactions PostgreSQL marks every
     * snapshot taken on the target server as overflowed, and its readers' visibility checks go
     * through {@code pg_subtrans} until the transaction ends. (The snapshot's own rate did not
     * change, BENCHMARKS.md.) A key written into the target by someone else between the lookup
     * and the COPY fails the batch with a unique violation; the job restarts from its checkpoint,
     * and the lookup then finds the key.
     *
     * @return false when the rows are still to be written (not all snapshot rows, or a key present)
     */
    private boolean copySnapshotRows(List<String> columns, List<ChangeEvent> rows) throws SQLException {
        String table = rows.get(0).table;
        SnapshotCopyModes.Mode mode = snapshotModes.of(table);
        if (mode == SnapshotCopyModes.Mode.UPSERT || !keyCastable()) {
            return false;
        }
        for (ChangeEvent e : rows) {
            if (e.op != Operation.SNAPSHOT) {
                return false;
            }
        }
        if (mode == null) {
            mode = hasRows(statements.anyRow()) ? SnapshotCopyModes.Mode.COPY_AFTER_PROBE : SnapshotCopyModes.Mode.COPY;
            snapshotModes.set(table, mode);
        }
        if (mode == SnapshotCopyModes.Mode.COPY_AFTER_PROBE && anyKeyPresent(rows)) {
            snapshotModes.set(table, SnapshotCopyModes.Mode.UPSERT);
            LOG.info("Snapshot rows of {} meet rows already in the target; they are upserted from now on", table);
            return false;
        }
        CopyRowsWriter.copy(cache.connection(), statements.copyIn(columns), rows);
        LOG.debug("Copied {} snapshot rows into {}", rows.size(), statements.target().id());
        return true;
    }

    /** Whether the target's key can be looked up from text as COPY reads it (not "char" or reg*). */
    private boolean keyCastable() {
        List<String> key = statements.target().primaryKey();
        return !key.isEmpty() && bulkCastable(key);
    }

    private boolean hasRows(String query) throws SQLException {
        try (ResultSet rs = cache.get(query).executeQuery()) {
            return rs.next();
        }
    }

    /** Whether any of the rows' keys is in the target, with one statement for the batch. */
    private boolean anyKeyPresent(List<ChangeEvent> rows) throws SQLException {
        PreparedStatement ps = cache.get(statements.anyKeyPresent());
        int[] keyIndexes = keyIndexes(statements.target(), Arrays.asList(rows.get(0).keyColumns));
        for (int k = 0; k < keyIndexes.length; k++) {
            String[] values = new String[rows.size()];
            for (int r = 0; r < values.length; r++) {
                values[r] = rows.get(r).key[keyIndexes[k]];
            }
            ps.setArray(k + 1, ps.getConnection().createArrayOf("text", values));
        }
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    private boolean bulkCastable(List<String> columns) {
        for (String c : columns) {
            if (!statements.castsTextLikeInput(c)) {
                return false;
            }
        }
        return true;
    }

    private int applyInOrder(List<ChangeEvent> changes) throws SQLException {
        PreparedStatement current = null;
        for (ChangeEvent e : changes) {
            List<String> columns = Arrays.asList(e.columns);
            String sql;
            switch (e.op) {
                case DELETE:
                    sql = statements.deleteOneMatching(columns);
                    break;
                case UPDATE:
                    sql = statements.updateOneMatching(columns, columns);
                    break;
                default:
                    sql = statements.insert(columns);
            }
            PreparedStatement ps = cache.get(sql);
            if (current != null && current != ps) {
                current.executeBatch();
            }
            current = ps;
            int p = 1;
            if (e.op != Operation.DELETE) {
                for (String v : e.after) {
                    ps.setString(p++, v);
                }
            }
            if (e.op == Operation.UPDATE || e.op == Operation.DELETE) {
                if (e.before == null) {
                    throw new IllegalStateException(
                            "A " + e.op + " of key-less table " + e.table
                                    + " came without the old row; set REPLICA IDENTITY FULL on the source table");
                }
                for (String v : e.before) {
                    ps.setString(p++, v);
                }
            }
            ps.addBatch();
        }
        if (current != null) {
            current.executeBatch();
        }
        return changes.size();
    }

    /** Binds the primary-key values in the target's key order, starting at parameter {@code p}. */
    private void bindKey(PreparedStatement ps, int p, ChangeEvent e) throws SQLException {
        bindKey(ps, p, statements.target(), Arrays.asList(e.keyColumns), Arrays.asList(e.key));
    }

    /**
     * Binds a primary key given as the values of {@code keyColumns}, in any order, in the
     * target's key order from parameter {@code p}: a target created before walflow may order its
     * key columns differently from the source.
     */
    static void bindKey(PreparedStatement ps, int p, TableInfo target, List<String> keyColumns, List<String> key)
            throws SQLException {
        int[] keyIndexes = keyIndexes(target, keyColumns);
        for (int k = 0; k < keyIndexes.length; k++) {
            ps.setString(p + k, key.get(keyIndexes[k]));
        }
    }

    /** For each of the target's key columns, its position among the source's {@code keyColumns}. */
    private static int[] keyIndexes(TableInfo target, List<String> keyColumns) {
        List<String> targetKey = target.primaryKey();
        int[] indexes = new int[targetKey.size()];
        for (int k = 0; k < indexes.length; k++) {
            indexes[k] = keyColumns.indexOf(targetKey.get(k));
            if (indexes[k] < 0) {
                throw new IllegalStateException("No value for key column " + targetKey.get(k) + " of target table "
                        + target.id() + " among the source's key " + keyColumns
                        + "; the target's primary key differs from the source's");
            }
        }
        return indexes;
    }

    private static List<String> presentColumns(ChangeEvent e) {
        List<String> present = new ArrayList<>(e.columns.length);
        for (int i = 0; i < e.columns.length; i++) {
            if (!ChangeEvent.UNCHANGED_TOAST.equals(e.after[i])) {
                present.add(e.columns[i]);
            }
        }
        return present;
    }
}
