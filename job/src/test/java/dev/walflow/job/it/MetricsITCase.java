package dev.walflow.job.it;

import dev.walflow.testkit.SqlRunner;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job's own metrics, read from an in-memory reporter while it runs: per table and operation
 * counts agree with the changes made, histograms fill, the confirmed position advances, the lag
 * falls back when the source is idle, and the retained-WAL limit raises its gauge.
 */
@ExtendWith(TestPostgres.class)
class MetricsITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .setConfiguration(REPORTER.addToConfiguration(loopback()))
                    .build());

    private static Configuration loopback() {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        return conf;
    }

    @Test
    void metricsDescribeWhatTheJobDid() throws Exception {
        String source = TestPostgres.newDatabase("metrics_src");
        String target = TestPostgres.newDatabase("metrics_dst");
        try (LogCapture logs = LogCapture.open(); Pipeline p = new Pipeline(source, target, "metrics_slot")) {
            p.sourceSql(
                    "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, 'v' FROM generate_series(1, 100) g");
            // Any retained WAL is over a limit of one byte: the warning gauge must rise.
            p.param("source.tables", "public.items").param("source.slot.max-retained-wal", "1b").start();
            p.awaitTargetEqualsSource("public.items");
            p.sourceSql(
                    "INSERT INTO items SELECT g, 'w' FROM generate_series(101, 600) g",
                    "UPDATE items SET v = 'u' WHERE id <= 50",
                    "DELETE FROM items WHERE id > 580");
            p.awaitTargetEqualsSource("public.items");

            Pipeline.await("per-operation counts of the PostgreSQL sink", () ->
                    events(p, "PostgreSQL", "snapshot") == 100 && events(p, "PostgreSQL", "insert") == 500
                            && events(p, "PostgreSQL", "update") == 50 && events(p, "PostgreSQL", "delete") == 20);
            long history;
            try (Connection t = p.target()) {
                history = SqlRunner.queryLong(t, "SELECT count(*) FROM walflow.change_history");
            }
            assertThat(history).isEqualTo(670);
            Pipeline.await("the history sink's count to match change_history (" + history + ")", () ->
                    events(p, "change_history", "snapshot") + events(p, "change_history", "insert")
                            + events(p, "change_history", "update") + events(p, "change_history", "delete") == history);
            assertThat(sum(p, id -> id.contains(".walflow.table.") && id.endsWith(".eventsFailed"))).isZero();
            assertThat(sum(p, id -> id.endsWith(".walflow.snapshotRowsCopied"))).isEqualTo(100);

            Pipeline.await("batch size, sink latency and end-to-end latency samples", () ->
                    histogramCount(p, "PostgreSQL sink: Writer", "batchSize") > 0
                            && histogramCount(p, "PostgreSQL sink: Writer", "sinkLatencyMs") > 0
                            && histogramCount(p, "PostgreSQL sink: Committer", "endToEndLatencyMs") > 0);
            Histogram e2e = histogram(p, "PostgreSQL sink: Committer", "endToEndLatencyMs");
            assertThat(e2e.getStatistics().getMin()).isGreaterThanOrEqualTo(0);
            assertThat(e2e.getStatistics().getMax()).as("end-to-end latency, ms").isLessThan(Pipeline.WAIT.toMillis());

            long confirmed = gauge(p, "checkpointConfirmedLsn");
            assertThat(confirmed).isPositive();
            p.sourceSql("INSERT INTO items SELECT g, 'x' FROM generate_series(1000, 1100) g");
            Pipeline.await("the confirmed checkpoint LSN to pass " + confirmed, () -> gauge(p, "checkpointConfirmedLsn") > confirmed);
            Pipeline.await("the slot's confirmed LSN gauge to follow", () -> gauge(p, "slotConfirmedLsn") >= gauge(p, "checkpointConfirmedLsn"));

            // Idle now: heartbeats and checkpoints bring the slot close to the WAL's end.
            Pipeline.diagnostics = () -> "lagBytes=" + gauge(p, "lagBytes") + " lagSeconds=" + gauge(p, "lagSeconds");
            Pipeline.await("the lag to fall below 1 MB and 60 s", () -> {
                long bytes = gauge(p, "lagBytes");
                long seconds = gauge(p, "lagSeconds");
                return bytes >= 0 && bytes < (1 << 20) && seconds >= 0 && seconds < 60;
            });
            assertThat(gauge(p, "sourceWalLsn")).isGreaterThanOrEqualTo(gauge(p, "slotConfirmedLsn"));
            assertThat(gauge(p, "slotRetainedWalBytes")).isPositive();
            assertThat(gauge(p, "slotRetainedWalOverLimit")).isEqualTo(1);
            assertThat(logs.text()).contains("Replication slot 'metrics_slot' holds back")
                    .contains("more than source.slot.max-retained-wal (");
            assertThat(gauge(p, "slotQueryFailures")).isZero();
        } finally {
            Pipeline.diagnostics = () -> "";
        }
    }

    private static Map<String, Metric> metrics(Pipeline p) {
        return REPORTER.getMetricsByIdentifiers(p.client.getJobID());
    }

    private static long events(Pipeline p, String sink, String operation) {
        return sum(p, id -> id.contains(sink) && id.contains(".walflow.table.public.items.operation." + operation + ".eventsProcessed"));
    }

    private static long sum(Pipeline p, Predicate<String> identifier) {
        long total = 0;
        for (Map.Entry<String, Metric> e : metrics(p).entrySet()) {
            if (identifier.test(e.getKey()) && e.getValue() instanceof Counter) {
                total += ((Counter) e.getValue()).getCount();
            }
        }
        return total;
    }

    private static long gauge(Pipeline p, String name) {
        for (Map.Entry<String, Metric> e : metrics(p).entrySet()) {
            if (e.getKey().endsWith(".walflow." + name) && e.getValue() instanceof Gauge) {
                return ((Number) ((Gauge<?>) e.getValue()).getValue()).longValue();
            }
        }
        return Long.MIN_VALUE;
    }

    private static Histogram histogram(Pipeline p, String operator, String name) {
        for (Map.Entry<String, Metric> e : metrics(p).entrySet()) {
            if (e.getKey().contains(operator) && e.getKey().endsWith(".walflow." + name) && e.getValue() instanceof Histogram) {
                return (Histogram) e.getValue();
            }
        }
        return null;
    }

    private static long histogramCount(Pipeline p, String operator, String name) {
        Histogram h = histogram(p, operator, name);
        return h == null ? 0 : h.getCount();
    }
}
