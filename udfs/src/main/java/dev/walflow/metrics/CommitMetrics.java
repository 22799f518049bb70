package dev.walflow.metrics;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;

/**
 * A committer's metrics: under exactly-once a change becomes visible in the target when its
 * prepared transaction is committed, so end-to-end latency is measured here.
 */
public final class CommitMetrics {

    private final Histogram endToEndLatency;
    private final Counter committed;

    public CommitMetrics(MetricGroup operatorGroup) {
        MetricGroup group = WalflowMetrics.group(operatorGroup);
        this.endToEndLatency = WalflowMetrics.histogram(group, WalflowMetrics.END_TO_END_LATENCY);
        this.committed = group.counter(WalflowMetrics.TRANSACTIONS_COMMITTED);
    }

    /** A transaction whose oldest change committed at the source at this time (epoch micros, 0: unknown). */
    public void committed(long oldestCommitMicros) {
        committed.inc();
        SinkMetrics.recordEndToEnd(endToEndLatency, oldestCommitMicros);
    }
}
