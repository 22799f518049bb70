package dev.walflow.source;

import dev.walflow.metrics.SlotMetrics;
import dev.walflow.metrics.WalflowMetrics;
import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

import java.time.Duration;
import java.util.Properties;

/**
 * Passes changes through unchanged; while it runs beside the source, its first subtask runs a
 * {@link SourceHeartbeat} that writes heartbeat messages into the source's WAL and a
 * {@link SlotMonitor} that reads the slot's lag and retained WAL for the metrics (one of each
 * per job, however many source readers there are). Every subtask counts the snapshot rows that
 * pass it.
 */
public final class SourceHeartbeatFunction extends RichMapFunction<ChangeEvent, ChangeEvent> {

    private static final long serialVersionUID = 1L;

    private final String url;
    private final Properties connectionProperties;
    private final Duration interval;
    private final String slot;
    private final long maxRetainedWal;
    private transient SourceHeartbeat heartbeat;
    private transient Counter snapshotRows;

    public SourceHeartbeatFunction(String url, Properties connectionProperties, Duration interval) {
        this(url, connectionProperties, interval, null, 0);
    }

    /**
     * @param slot the slot to watch, or null for no slot metrics
     * @param maxRetainedWal retained WAL (bytes) that raises a warning; 0: no limit
     */
    public SourceHeartbeatFunction(
            String url, Properties connectionProperties, Duration interval, String slot, long maxRetainedWal) {
        this.url = url;
        this.connectionProperties = connectionProperties;
        this.interval = interval;
        this.slot = slot;
        this.maxRetainedWal = maxRetainedWal;
    }

    @Override
    public void open(OpenContext openContext) {
        snapshotRows = WalflowMetrics.group(getRuntimeContext().getMetricGroup())
                .counter(WalflowMetrics.SNAPSHOT_ROWS_COPIED);
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() != 0) {
            return;
        }
        SlotMonitor monitor = null;
        if (slot != null) {
            monitor = new SlotMonitor(slot, maxRetainedWal);
            SlotMetrics.register(getRuntimeContext().getMetricGroup(), monitor);
        }
        heartbeat = new SourceHeartbeat(url, connectionProperties, interval, monitor);
        heartbeat.start();
    }

    @Override
    public ChangeEvent map(ChangeEvent event) {
        if (event.op == Operation.SNAPSHOT) {
            snapshotRows.inc();
        }
        return event;
    }

    @Override
    public void close() {
        if (heartbeat != null) {
            heartbeat.close();
            heartbeat = null;
        }
    }
}
