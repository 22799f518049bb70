package dev.walflow.job;

/** Stable operator uids (savepoints map state by them) and the names shown in the web UI. */
public final class OperatorIds {

    private OperatorIds() {}

    public static final String SOURCE = "walflow-source-postgres";
    public static final String SOURCE_NAME = "PostgreSQL CDC source";

    public static final String HEARTBEAT = "walflow-source-heartbeat";
    public static final String HEARTBEAT_NAME = "Source heartbeat";

    public static final String TOAST = "walflow-toast-completion";
    public static final String TOAST_NAME = "Complete key-change rows";

    public static final String ROUTE = "walflow-route";
    public static final String ROUTE_NAME = "Route by primary key";

    public static final String SINK_POSTGRES = "walflow-sink-postgres";
    public static final String SINK_POSTGRES_NAME = "PostgreSQL sink";

    public static final String SINK_HISTORY = "walflow-sink-history";
    public static final String SINK_HISTORY_NAME = "change_history sink";

    public static final String COMPLETE_ROWS = "walflow-clickhouse-complete-rows";
    public static final String COMPLETE_ROWS_NAME = "Complete rows for ClickHouse";

    public static final String SINK_CLICKHOUSE = "walflow-sink-clickhouse";
    public static final String SINK_CLICKHOUSE_NAME = "ClickHouse sink";

    public static final String VERIFY_RANGES = "walflow-verify-ranges";
    public static final String VERIFY_RANGES_NAME = "Key ranges to verify";

    public static final String VERIFY_COMPARE = "walflow-verify-compare";
    public static final String VERIFY_COMPARE_NAME = "Compare, repair and check history per key range";

    /**
     * Key groups of the keyed sinks. Fixed so that routing (which places TRUNCATE copies on
     * every subtask) and the sinks agree, and so savepoints stay valid when parallelism changes.
     */
    public static final int SINK_MAX_PARALLELISM = 1024;
}
