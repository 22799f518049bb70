package dev.walflow.sink.postgres;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The changes of one table waiting to be written. Changes to a keyed row collapse into the
 * row's latest state (one statement per row per batch), keeping values an UPDATE left out
 * because they were unchanged TOAST; changes to a key-less table stay in order.
 */
final class PendingChanges {

    private final Map<String, ChangeEvent> byKey = new LinkedHashMap<>();
    private final List<ChangeEvent> inOrder = new ArrayList<>();

    void add(ChangeEvent event) {
        if (event.isKeyless()) {
            inOrder.add(event);
            return;
        }
        ChangeEvent previous = byKey.get(event.routeKey);
        if (previous != null
                && event.op != Operation.DELETE
                && previous.op != Operation.DELETE
                && event.hasUnchangedToast()) {
            event = fillUnchanged(event, previous);
        }
        byKey.put(event.routeKey, event);
    }

    int size() {
        return byKey.size() + inOrder.size();
    }

    boolean isEmpty() {
        return byKey.isEmpty() && inOrder.isEmpty();
    }

    /** Latest state per keyed row, in first-seen order. */
    Iterable<ChangeEvent> keyed() {
        return byKey.values();
    }

    /** Changes of a key-less table in stream order. */
    List<ChangeEvent> ordered() {
        return inOrder;
    }

    void clear() {
        byKey.clear();
        inOrder.clear();
    }

    /** The later change with its missing TOAST values taken from the earlier one in the batch. */
    private static ChangeEvent fillUnchanged(ChangeEvent later, ChangeEvent earlier) {
        ChangeEvent merged = later.copy();
        merged.after = later.after.clone();
        for (int i = 0; i < merged.columns.length; i++) {
            if (!ChangeEvent.UNCHANGED_TOAST.equals(merged.after[i])) {
                continue;
            }
            int j = indexOf(earlier.columns, merged.columns[i], i);
            if (j >= 0 && earlier.after != null) {
                merged.after[i] = earlier.after[j];
            }
        }
        return merged;
    }

    private static int indexOf(String[] columns, String name, int hint) {
        if (hint < columns.length && columns[hint].equals(name)) {
            return hint;
        }
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
