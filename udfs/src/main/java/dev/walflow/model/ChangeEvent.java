package dev.walflow.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;

/**
 * One captured change, with every value in PostgreSQL's text form (NULL as {@code null}), so it
 * can be written back with {@code ?::type} exactly. Flink serializes it with {@link
 * ChangeEventSerializer} (a field added here must be added there too).
 */
@TypeInfo(ChangeEventTypeInfo.Factory.class)
public final class ChangeEvent {

    /** Marks a value absent from the WAL (unchanged TOAST). NUL never occurs in PostgreSQL text. */
    public static final String UNCHANGED_TOAST = "\u0000walflow:unchanged-toast\u0000";

    /** Source table as {@code schema.table}, unquoted. */
    public String table;

    public Operation op;

    public Position position;

    public long txId;

    /** Commit time in microseconds since the epoch (0 for snapshot rows). */
    public long commitMicros;

    /** Identifies the column list the images follow (changes when the table's columns do). */
    public int schemaVersion;

    /** The client that submitted the change through the gateway, or null. */
    public String originClientId;

    /** Column names of {@link #before} and {@link #after}, in table order. */
    public String[] columns;

    /** Primary-key column names; empty for a table without a key (REPLICA IDENTITY FULL). */
    public String[] keyColumns;

    /** Primary-key values in {@link #keyColumns} order. */
    public String[] key;

    /** Row before the change: the key only, or the whole row under REPLICA IDENTITY FULL. */
    public String[] before;

    /**
     * Row after the change. A value equal to {@link #UNCHANGED_TOAST} was not in the WAL
     * (an unchanged TOASTed column) and must be left as the target has it.
     */
    public String[] after;

    /**
     * The key the stream is partitioned by ahead of the sinks: table plus primary key, the table
     * alone for key-less tables. Set by the routing step.
     */
    public String routeKey;

    public ChangeEvent() {}

    /** A copy sharing the (immutable) images. */
    public ChangeEvent copy() {
        ChangeEvent c = new ChangeEvent();
        c.table = table;
        c.op = op;
        c.position = position;
        c.txId = txId;
        c.commitMicros = commitMicros;
        c.schemaVersion = schemaVersion;
        c.originClientId = originClientId;
        c.columns = columns;
        c.keyColumns = keyColumns;
        c.key = key;
        c.before = before;
        c.after = after;
        c.routeKey = routeKey;
        return c;
    }

    public boolean isKeyless() {
        return keyColumns == null || keyColumns.length == 0;
    }

    /** True when some value of {@link #after} is an unchanged TOAST column. */
    public boolean hasUnchangedToast() {
        if (after == null || op == Operation.SNAPSHOT) {
            return false; // a snapshot row is read whole
        }
        for (String v : after) {
            if (UNCHANGED_TOAST.equals(v)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return op + " " + table + " key=" + Arrays.toString(key) + " at " + position;
    }
}
