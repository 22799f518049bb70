package dev.walflow.metrics;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Changes are counted per table and operation when their batch is written or given up on. */
class SinkMetricsTest {

    /** Records every metric under its scope path, e.g. walflow.table.public.t.operation.insert.eventsProcessed. */
    private static final class Recording extends UnregisteredMetricsGroup {
        final Map<String, Metric> metrics;
        final String path;

        Recording(Map<String, Metric> metrics, String path) {
            this.metrics = metrics;
            this.path = path;
        }

        @Override
        public MetricGroup addGroup(String name) {
            return new Recording(metrics, path + name + ".");
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new Recording(metrics, path + key + "." + value + ".");
        }

        @Override
        public Counter counter(String name) {
            return counter(name, new org.apache.flink.metrics.SimpleCounter());
        }

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            metrics.put(path + name, counter);
            return counter;
        }

        @Override
        public <H extends Histogram> H histogram(String name, H histogram) {
            metrics.put(path + name, histogram);
            return histogram;
        }
    }

    private static ChangeEvent event(String table, Operation op, long commitMicros) {
        ChangeEvent e = new ChangeEvent();
        e.table = table;
        e.op = op;
        e.commitMicros = commitMicros;
        return e;
    }

    private static long count(Map<String, Metric> m, String name) {
        Metric metric = m.get(name);
        return metric == null ? 0 : metric instanceof Counter ? ((Counter) metric).getCount() : ((Histogram) metric).getCount();
    }

    @Test
    void countsSettleWithTheirBatch() {
        Map<String, Metric> m = new HashMap<>();
        SinkMetrics metrics = new SinkMetrics(new Recording(m, ""));
        long now = System.currentTimeMillis() * 1000;
        metrics.received(event("public.t", Operation.INSERT, now - 2_000_000));
        metrics.received(event("public.t", Operation.INSERT, now));
        metrics.received(event("public.u", Operation.DELETE, 0));
        assertThat(count(m, "walflow.table.public.t.operation.insert.eventsProcessed")).as("before the batch").isZero();

        metrics.batchWritten(3, 5_000_000, true);
        assertThat(count(m, "walflow.table.public.t.operation.insert.eventsProcessed")).isEqualTo(2);
        assertThat(count(m, "walflow.table.public.u.operation.delete.eventsProcessed")).isEqualTo(1);
        assertThat(count(m, "walflow.batchSize")).isEqualTo(1);
        Histogram e2e = (Histogram) m.get("walflow.endToEndLatencyMs");
        assertThat(e2e.getCount()).isEqualTo(1);
        assertThat(e2e.getStatistics().getMax()).as("the oldest change's age, ms").isGreaterThanOrEqualTo(2000);

        metrics.received(event("public.t", Operation.UPDATE, now));
        metrics.batchFailed(new java.io.IOException("wrapped", new java.sql.SQLException("down")));
        assertThat(count(m, "walflow.table.public.t.operation.update.eventsFailed")).isEqualTo(1);
        assertThat(count(m, "walflow.table.public.t.operation.update.eventsProcessed")).isZero();
        assertThat(count(m, "walflow.type.SQLException.errors")).isEqualTo(1);
    }

    @Test
    void exactlyOnceCarriesTheOldestCommitToTheTransaction() {
        SinkMetrics metrics = new SinkMetrics(new Recording(new HashMap<>(), ""));
        metrics.received(event("public.t", Operation.INSERT, 5_000));
        metrics.batchWritten(1, 1, false);
        metrics.received(event("public.t", Operation.INSERT, 3_000));
        metrics.batchWritten(1, 1, false);
        assertThat(metrics.takeTransactionOldestCommitMicros()).isEqualTo(3_000);
        assertThat(metrics.takeTransactionOldestCommitMicros()).as("the next transaction starts empty").isZero();
    }

    @Test
    void aBatchTakenSettlesOnlyItsOwnChangesWhileTheNextFills() {
        Map<String, Metric> m = new HashMap<>();
        SinkMetrics metrics = new SinkMetrics(new Recording(m, ""));
        metrics.received(event("public.t", Operation.INSERT, 0));
        metrics.received(event("public.t", Operation.INSERT, 0));
        SinkMetrics.Batch first = metrics.takeBatch();
        metrics.received(event("public.t", Operation.INSERT, 0));
        SinkMetrics.Batch second = metrics.takeBatch();

        metrics.batchWritten(first, 2, 1, true);
        assertThat(count(m, "walflow.table.public.t.operation.insert.eventsProcessed")).isEqualTo(2);
        metrics.batchFailed(second, new java.sql.SQLException("down"));
        assertThat(count(m, "walflow.table.public.t.operation.insert.eventsProcessed")).isEqualTo(2);
        assertThat(count(m, "walflow.table.public.t.operation.insert.eventsFailed")).isEqualTo(1);
    }
}
