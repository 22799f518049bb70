package dev.walflow.bench.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Commit-to-target latency under a paced workload: a marker row committed every 100 ms at the
 * source, the target polled every 10 ms; a marker's latency is the target server's clock when
 * it first shows the row less the source's clock when it was written (one server, one clock).
 */
final class LatencyProbe {

    /** Latency percentiles in milliseconds, and the workload's changes. */
    record Latency(double p50, double p99) {}

    private static final long PROBE_EVERY_MS = 100;

    private LatencyProbe() {}

    static Latency measure(SourceDatabase source, SourceDatabase target, Markers markers, Workload workload,
            long events, double eventsPerSecond) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Connection src = source.connect(); Connection dst = target.connect();
                PreparedStatement poll = dst.prepareStatement("SELECT id, extract(epoch FROM clock_timestamp() - at) * 1000"
                        + " FROM bench_marker WHERE id > ? ORDER BY id")) {
            Future<Long> written = pool.submit(() -> workload.run(source, events, eventsPerSecond));
            long first = markers.write(src);
            Future<Long> last = pool.submit(() -> {
                long id = first;
                while (!written.isDone()) {
                    Thread.sleep(PROBE_EVERY_MS);
                    id = markers.write(src);
                }
                return id;
            });
            List<Double> latencies = new ArrayList<>();
            long seen = first - 1;
            long deadline = Long.MAX_VALUE;
            while (!last.isDone() || seen < last.get()) {
                poll.setLong(1, seen);
                try (ResultSet rs = poll.executeQuery()) {
                    while (rs.next()) {
                        seen = rs.getLong(1);
                        latencies.add(rs.getDouble(2));
                    }
                }
                if (last.isDone() && deadline == Long.MAX_VALUE) {
                    deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Markers up to " + last.get() + " did not reach " + target.name());
                }
                Thread.sleep(10);
            }
            written.get(); // the workload's failure, if it failed
            Collections.sort(latencies);
            return new Latency(percentile(latencies, 0.50), percentile(latencies, 0.99));
        } finally {
            pool.shutdownNow();
        }
    }

    static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
