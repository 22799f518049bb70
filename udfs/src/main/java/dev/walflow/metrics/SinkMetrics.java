package dev.walflow.metrics;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;

import java.util.HashMap;
import java.util.Map;

/**
 * A sink writer's metrics. Changes handed to the writer are counted per (table, operation) once
 * the batch holding them is written ({@code eventsProcessed}) or given up on
 * ({@code eventsFailed}), so the counters agree with what reached the target. Per change it costs
 * one map lookup; counters are touched once per batch.
 */
public final class SinkMetrics {

    private static final Operation[] OPERATIONS = Operation.values();

    private final MetricGroup group;
    private Map<String, long[]> pending = new HashMap<>();
    private final Map<String, Counter[]> processed = new HashMap<>();
    private final Map<String, Counter[]> failed = new HashMap<>();
    private final Map<String, Counter> errors = new HashMap<>();
    private final Histogram batchSize;
    private final Histogram sinkLatency;
    private final Histogram endToEndLatency;
    private long batchOldestCommitMicros = Long.MAX_VALUE;
    private long transactionOldestCommitMicros = Long.MAX_VALUE;

    public SinkMetrics(MetricGroup operatorGroup) {
        this.group = WalflowMetrics.group(operatorGroup);
        this.batchSize = WalflowMetrics.histogram(group, WalflowMetrics.BATCH_SIZE);
        this.sinkLatency = WalflowMetrics.histogram(group, WalflowMetrics.SINK_LATENCY);
        this.endToEndLatency = WalflowMetrics.histogram(group, WalflowMetrics.END_TO_END_LATENCY);
    }

    /** A change entered the writer's buffer. */
    public void received(ChangeEvent event) {
        if (event.table == null || event.op == null) {
            return;
        }
        pending.computeIfAbsent(event.table, t -> new long[OPERATIONS.length])[event.op.ordinal()]++;
        if (event.commitMicros > 0 && event.commitMicros < batchOldestCommitMicros) {
            batchOldestCommitMicros = event.commitMicros;
        }
    }

    /**
     * The changes received since the last batch was taken, as one batch: a writer that writes a
     * batch while the next one fills settles each with its own counts.
     */
    public Batch takeBatch() {
        Batch batch = new Batch(pending, batchOldestCommitMicros);
        pending = new HashMap<>();
        batchOldestCommitMicros = Long.MAX_VALUE;
        return batch;
    }

    /** Counts of one batch of changes, per table and operation, and its oldest commit time. */
    public static final class Batch {
        private final Map<String, long[]> counts;
        private final long oldestCommitMicros;

        private Batch(Map<String, long[]> counts, long oldestCommitMicros) {
            this.counts = counts;
            this.oldestCommitMicros = oldestCommitMicros;
        }
    }

    /** The changes received since the last batch was taken were written in {@code nanos}. */
    public void batchWritten(int events, long nanos, boolean committed) {
        batchWritten(takeBatch(), events, nanos, committed);
    }

    /**
     * A batch was written in {@code nanos}. When {@code committed}, its changes are visible in
     * the target now (at-least-once); otherwise they wait in the open transaction.
     */
    public void batchWritten(Batch batch, int events, long nanos, boolean committed) {
        batchSize.update(events);
        sinkLatency.update(nanos / 1_000_000);
        settle(processed, WalflowMetrics.EVENTS_PROCESSED, batch.counts);
        if (committed) {
            committed(batch.oldestCommitMicros);
        } else {
            transactionOldestCommitMicros = Math.min(transactionOldestCommitMicros, batch.oldestCommitMicros);
        }
    }

    /**
     * The changes received since the last batch was taken were handed to the committer, which
     * writes them when the checkpoint completes (ClickHouse under exactly-once): counted, without
     * a write time.
     */
    public void handedOver(int events) {
        if (events > 0) {
            batchSize.update(events);
        }
        settle(processed, WalflowMetrics.EVENTS_PROCESSED, takeBatch().counts);
    }

    /** The writer gave up on the changes received since the last batch was taken (the job fails and replays them). */
    public void batchFailed(Throwable error) {
        batchFailed(takeBatch(), error);
    }

    /** The writer gave up on a batch (the job fails and replays it). */
    public void batchFailed(Batch batch, Throwable error) {
        settle(failed, WalflowMetrics.EVENTS_FAILED, batch.counts);
        errors.computeIfAbsent(errorType(error), t -> group.addGroup(WalflowMetrics.ERROR_TYPE, t)
                .counter(WalflowMetrics.ERRORS)).inc();
    }

    /**
     * The source commit time (epoch micros) of the oldest change in the transaction being
     * prepared, 0 when it holds none with a commit time; starts the next transaction.
     */
    public long takeTransactionOldestCommitMicros() {
        long oldest = transactionOldestCommitMicros;
        transactionOldestCommitMicros = Long.MAX_VALUE;
        return oldest == Long.MAX_VALUE ? 0 : oldest;
    }

    private void committed(long oldestCommitMicros) {
        recordEndToEnd(endToEndLatency, oldestCommitMicros);
    }

    static void recordEndToEnd(Histogram histogram, long oldestCommitMicros) {
        if (oldestCommitMicros > 0 && oldestCommitMicros != Long.MAX_VALUE) {
            histogram.update(Math.max(0, System.currentTimeMillis() - oldestCommitMicros / 1000));
        }
    }

    private void settle(Map<String, Counter[]> target, String name, Map<String, long[]> counted) {
        if (counted.isEmpty()) {
            return;
        }
        for (Map.Entry<String, long[]> entry : counted.entrySet()) {
            long[] counts = entry.getValue();
            Counter[] counters = target.computeIfAbsent(entry.getKey(), t -> new Counter[OPERATIONS.length]);
            for (int op = 0; op < counts.length; op++) {
                if (counts[op] == 0) {
                    continue;
                }
                if (counters[op] == null) {
                    counters[op] = group.addGroup(WalflowMetrics.TABLE, entry.getKey())
                            .addGroup(WalflowMetrics.OPERATION, OPERATIONS[op].name().toLowerCase())
                            .counter(name);
                }
                counters[op].inc(counts[op]);
                counts[op] = 0;
            }
        }
    }

    /** The innermost cause's class: what went wrong, not how it was wrapped. */
    static String errorType(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName();
    }
}
