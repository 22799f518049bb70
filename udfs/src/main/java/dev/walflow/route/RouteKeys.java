package dev.walflow.route;

import dev.walflow.model.ChangeEvent;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Partition keys ahead of the sinks. All changes of one row share a key, so they pass through
 * one subtask in order. A TRUNCATE must reach every subtask, so it is copied once per subtask
 * under a key chosen to land there.
 */
public final class RouteKeys {

    private static final char SEPARATOR = '\u0001';
    private static final char NULL_VALUE = '\u0002';
    private static final char TRUNCATE_MARK = '\u0003';

    private RouteKeys() {}

    public static String of(ChangeEvent event) {
        return of(event.table, event.key);
    }

    /** The key of a row: table and primary-key values (the table alone when it has no key). */
    public static String of(String table, String[] keyValues) {
        if (keyValues == null || keyValues.length == 0) {
            return table;
        }
        StringBuilder sb = new StringBuilder(table.length() + 16 * keyValues.length).append(table);
        for (String v : keyValues) {
            sb.append(SEPARATOR);
            if (v == null) {
                sb.append(NULL_VALUE);
            } else {
                sb.append(v);
            }
        }
        return sb.toString();
    }

    /** The subtask that owns a key, as Flink's keyBy assigns it. */
    public static int subtaskOf(String routeKey, int maxParallelism, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(
                routeKey, maxParallelism, parallelism);
    }

    /** One key per subtask for a table's TRUNCATE: element i is owned by subtask i. */
    public static String[] truncateKeys(String table, int maxParallelism, int parallelism) {
        String[] keys = new String[parallelism];
        int found = 0;
        for (int n = 0; found < parallelism; n++) {
            String candidate = table + TRUNCATE_MARK + n;
            int subtask = subtaskOf(candidate, maxParallelism, parallelism);
            if (keys[subtask] == null) {
                keys[subtask] = candidate;
                found++;
            }
        }
        return keys;
    }
}
