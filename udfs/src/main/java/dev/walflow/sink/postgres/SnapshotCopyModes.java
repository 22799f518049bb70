package dev.walflow.sink.postgres;

import java.util.HashMap;
import java.util.Map;

/**
 * How each table's snapshot rows go into the target, decided by one sink writer as it meets
 * them (see {@link TableApplier}). Held for the writer's life, across dropped connections: what
 * the target held when a table's first snapshot batch came stays true of it, since later rows of
 * that table's snapshot in the same run have keys no earlier row had.
 */
final class SnapshotCopyModes {

    enum Mode {
        /** The target table held no row when its first snapshot batch came: copy every batch. */
        COPY,
        /** The target table held rows: copy a batch only when none of its keys is there yet. */
        COPY_AFTER_PROBE,
        /** A batch met a key already in the target: upsert the rest of the table's snapshot. */
        UPSERT
    }

    private final Map<String, Mode> modes = new HashMap<>();

    /** The table's mode, or null before its first snapshot batch. */
    Mode of(String table) {
        return modes.get(table);
    }

    void set(String table, Mode mode) {
        modes.put(table, mode);
    }
}
