package dev.walflow.logging;

import org.slf4j.MDC;

/**
 * Structured fields for the log lines written inside a scope: put into SLF4J's MDC (which the
 * JSON layout in conf/log4j2.properties writes as fields of each line, e.g.
 * {@code "walflow.table":"public.orders"}) and removed when the
 * scope closes, so operators chained on one task thread never see each other's fields. Flink
 * itself adds {@code flink-job-id} on task threads.
 *
 * <pre>{@code try (LogFields f = LogFields.of(LogFields.TABLE, table, LogFields.POSITION, p)) { LOG.info(...); }}</pre>
 */
public final class LogFields implements AutoCloseable {

    public static final String JOB = "walflow.job";
    public static final String SINK = "walflow.sink";
    public static final String SUBTASK = "walflow.subtask";
    public static final String TABLE = "walflow.table";
    public static final String POSITION = "walflow.position";
    public static final String SLOT = "walflow.slot";

    private final String[] keys;
    private final String[] previous;

    private LogFields(String[] keys, String[] previous) {
        this.keys = keys;
        this.previous = previous;
    }

    /** Alternating keys and values; a null value leaves its key out. */
    public static LogFields of(Object... keysAndValues) {
        int n = keysAndValues.length / 2;
        String[] keys = new String[n];
        String[] previous = new String[n];
        for (int i = 0; i < n; i++) {
            keys[i] = String.valueOf(keysAndValues[2 * i]);
            previous[i] = MDC.get(keys[i]);
            Object value = keysAndValues[2 * i + 1];
            if (value != null) {
                MDC.put(keys[i], String.valueOf(value));
            }
        }
        return new LogFields(keys, previous);
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            if (previous[i] == null) {
                MDC.remove(keys[i]);
            } else {
                MDC.put(keys[i], previous[i]);
            }
        }
    }
}
