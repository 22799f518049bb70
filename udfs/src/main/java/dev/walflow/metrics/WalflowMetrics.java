package dev.walflow.metrics;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Names of walflow's metrics. They live in a {@code walflow} group under each operator, so a
 * reporter shows them as e.g. {@code flink_taskmanager_job_task_operator_walflow_lagBytes}, and
 * per-table metrics sit in key-value groups ({@code table}, {@code operation}, {@code type})
 * that the Prometheus reporter turns into labels. The README's "Metrics" table lists them all.
 */
public final class WalflowMetrics {

    public static final String GROUP = "walflow";
    public static final String TABLE = "table";
    public static final String OPERATION = "operation";
    public static final String ERROR_TYPE = "type";

    // Sinks (every sink writer; the committer for exactly-once end-to-end latency).
    public static final String EVENTS_PROCESSED = "eventsProcessed";
    public static final String EVENTS_FAILED = "eventsFailed";
    public static final String ERRORS = "errors";
    public static final String BATCH_SIZE = "batchSize";
    public static final String SINK_LATENCY = "sinkLatencyMs";
    public static final String END_TO_END_LATENCY = "endToEndLatencyMs";
    public static final String TRANSACTIONS_COMMITTED = "transactionsCommitted";

    // The source's slot (polled by the heartbeat beside the source).
    public static final String SOURCE_WAL_LSN = "sourceWalLsn";
    public static final String SLOT_CONFIRMED_LSN = "slotConfirmedLsn";
    public static final String LAG_BYTES = "lagBytes";
    public static final String LAG_SECONDS = "lagSeconds";
    public static final String SLOT_RETAINED_WAL_BYTES = "slotRetainedWalBytes";
    public static final String SLOT_RETAINED_WAL_OVER_LIMIT = "slotRetainedWalOverLimit";
    public static final String SLOT_SAFE_WAL_SIZE_BYTES = "slotSafeWalSizeBytes";
    public static final String SLOT_QUERY_FAILURES = "slotQueryFailures";
    public static final String SNAPSHOT_ROWS_COPIED = "snapshotRowsCopied";

    // The source reader's checkpoint gate.
    public static final String CHECKPOINT_CONFIRMED_LSN = "checkpointConfirmedLsn";
    public static final String CHECKPOINT_CONFIRMED_ID = "checkpointConfirmedId";
    public static final String CHECKPOINTS_HELD_BACK = "checkpointsHeldBack";

    /** Samples a histogram keeps: enough for stable percentiles, bounded memory. */
    static final int HISTOGRAM_WINDOW = 1024;

    private WalflowMetrics() {}

    /** The {@code walflow} group under an operator's group. */
    public static MetricGroup group(MetricGroup operator) {
        return operator.addGroup(GROUP);
    }

    static Histogram histogram(MetricGroup group, String name) {
        return group.histogram(name, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }
}
