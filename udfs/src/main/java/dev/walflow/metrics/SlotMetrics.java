package dev.walflow.metrics;

import dev.walflow.source.SlotMonitor;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/** Gauges over what the {@link SlotMonitor} last read; -1 while unknown. */
public final class SlotMetrics {

    private SlotMetrics() {}

    public static void register(MetricGroup operatorGroup, SlotMonitor slot) {
        MetricGroup g = WalflowMetrics.group(operatorGroup);
        g.gauge(WalflowMetrics.SOURCE_WAL_LSN, (Gauge<Long>) slot::walLsn);
        g.gauge(WalflowMetrics.SLOT_CONFIRMED_LSN, (Gauge<Long>) slot::confirmedLsn);
        g.gauge(WalflowMetrics.LAG_BYTES, (Gauge<Long>) slot::lagBytes);
        g.gauge(WalflowMetrics.LAG_SECONDS, (Gauge<Long>) slot::lagSeconds);
        g.gauge(WalflowMetrics.SLOT_RETAINED_WAL_BYTES, (Gauge<Long>) slot::retainedWalBytes);
        g.gauge(WalflowMetrics.SLOT_RETAINED_WAL_OVER_LIMIT, (Gauge<Integer>) () -> slot.overLimit() ? 1 : 0);
        g.gauge(WalflowMetrics.SLOT_SAFE_WAL_SIZE_BYTES, (Gauge<Long>) slot::safeWalSizeBytes);
        g.gauge(WalflowMetrics.SLOT_QUERY_FAILURES, (Gauge<Long>) slot::queryFailures);
    }
}
