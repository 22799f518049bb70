package dev.walflow.bench.postgres;

import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * walflow's snapshot and streaming rates beside PostgreSQL's own limits, in one run on one
 * embedded PostgreSQL (see BENCHMARKS.md):
 *
 * <pre>
 * deploy/bench.sh [--quick] [options]     (options: BenchmarkSettings.USAGE)
 * </pre>
 *
 * Snapshot: {@code COPY} of each table, then walflow's snapshot of it (exactly-once). Streaming,
 * per delivery guarantee and workload: walflow is held back by a lock on the target tables while
 * the workload writes its changes; {@code pg_recvlogical} decodes that WAL; the lock is released
 * and walflow's catch-up is timed to the marker written after the workload; {@code
 * pg_recvlogical} decodes the same WAL again from a second slot (the faster reading is the
 * limit); then latency is sampled under the same workload paced at half that rate. Every
 * measurement also notes where the CPU went ({@link CpuMeter}).
 */
public final class PostgresBenchmark {

    static final String CHECKPOINT_INTERVAL = "1s";
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(30);

    private final BenchmarkSettings settings;
    private final PrintStream out;
    private final List<Result> results = new ArrayList<>();
    private CpuMeter cpu;

    private PostgresBenchmark(BenchmarkSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        BenchmarkSettings settings;
        try {
            settings = BenchmarkSettings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        run(settings, System.out);
        // Flink's and the drivers' threads are not all daemons.
        System.exit(0);
    }

    /** Runs every measurement, prints the table, writes results.md and the chart. */
    static List<Result> run(BenchmarkSettings settings, PrintStream out) throws Exception {
        PostgresBenchmark benchmark = new PostgresBenchmark(settings, out);
        benchmark.measureAll();
        return benchmark.results;
    }

    private void measureAll() throws Exception {
        try (PostgresServer pg = PostgresServer.start(); MemorySampler memory = new MemorySampler()) {
            String machine = MachineInfo.describe(pg, settings.jobArgs());
            out.println("walflow PostgreSQL benchmark, " + Instant.now());
            out.println(machine);
            try (Connection c = pg.connect("postgres")) {
                cpu = CpuMeter.of(c);
            }
            SnapshotMeasurement snapshot = new SnapshotMeasurement(pg, memory, cpu, out, settings.jobArgs());
            if (!settings.snapshotRows().isEmpty()) {
                // The first job in a fresh JVM runs while the JIT compiles Flink CDC's, Debezium's
                // and walflow's code; a long-running job does not pay that, so neither do the
                // figures: a snapshot of the first size first, its figure not kept (with a fifth
                // of it, the JIT was still compiling walflow's path through the measured one).
                out.printf(Locale.ROOT, "%nWarm-up (not counted):");
                snapshot.measure(settings.snapshotRows().get(0));
            }
            for (long rows : settings.snapshotRows()) {
                results.add(snapshot.measure(rows));
            }
            if (!settings.snapshotRows().isEmpty()) {
                for (WalflowJob.Stage stage : stages()) {
                    results.add(snapshot.measure(settings.snapshotRows().get(0), stage));
                }
            }
            for (String mode : settings.modes()) {
                streaming(pg, memory, mode);
            }
            for (WalflowJob.Stage stage : stages()) {
                stageStreaming(pg, memory, stage);
            }
            String table = Result.table(results);
            String cpuTable = Result.cpuTable(results);
            out.println();
            out.print(table);
            out.println();
            out.print(cpuTable);
            Files.createDirectories(settings.out());
            Files.writeString(settings.out().resolve("results.md"),
                    "Run of " + Instant.now() + "\n\n" + machine + "\n\n" + table
                            + "\nWhere the CPU went while walflow worked (per row or event; cores busy is the"
                            + " average over walflow's time):\n\n" + cpuTable, StandardCharsets.UTF_8);
            ResultChart.write(results, "walflow vs PostgreSQL's limits (" + MachineInfo.shortName() + ")",
                    settings.out().resolve("postgres-benchmark.png"));
            out.println("Wrote " + settings.out().resolve("results.md") + " and " + settings.out().resolve("postgres-benchmark.png"));
        }
    }

    /** Each workload caught up once uncounted, then measured, in one job of the given delivery guarantee. */
    private void streaming(PostgresServer pg, MemorySampler memory, String mode) throws Exception {
        String suffix = mode.replace("-", "_");
        StreamSetUp setUp = setUpStreaming(pg, suffix, mode);
        SourceDatabase source = setUp.source();
        String name = "bench_" + suffix;
        Markers markers = new Markers();
        try (WalflowJob job = WalflowJob.start(source, setUp.target(), name, setUp.tables(), mode, CHECKPOINT_INTERVAL, settings.jobArgs());
                Connection src = source.connect()) {
            // A marker can arrive through the snapshot; only one written once the job streams
            // from its slot shows the stream is up (its start may retry for 10 s and more).
            job.awaitStreaming(CATCH_UP_TIMEOUT);
            Markers.await(setUp.target(), markers.write(src), CATCH_UP_TIMEOUT);
            // As for the snapshot: a job would pay the JIT's work in its first catch-ups, which
            // made the first workload measured look half as fast as the same one measured later.
            // Each workload's catch-up is rehearsed the way it is measured (held back, then
            // released), so the JIT has seen the paths the measurement takes: full batches,
            // backpressure, the checkpoint held up at the release.
            out.printf(Locale.ROOT, "  warm-up (not counted): a quarter of each workload, held back and released%n");
            for (Workload w : setUp.workloads()) {
                try (Hold hold = lockHold(setUp.target(), w)) {
                    w.run(source, w.eventsOf(settings.streamEvents()) / 4, 0);
                    long marker = markers.write(src);
                    hold.release();
                    hold.awaitMarker(marker);
                }
                Markers.await(setUp.target(), markers.write(src), CATCH_UP_TIMEOUT);
            }
            for (Workload w : setUp.workloads()) {
                long events = w.eventsOf(settings.streamEvents());
                results.add(catchUp(source, setUp.target(), name, markers, src, w, events, mode, memory));
            }
        }
        drop(pg, source, setUp.target());
    }

    private record StreamSetUp(SourceDatabase source, SourceDatabase target, List<Workload> workloads, List<String> tables) {}

    /** Source and target databases with the marker table and every workload's tables filled. */
    private StreamSetUp setUpStreaming(PostgresServer pg, String suffix, String label) throws Exception {
        SourceDatabase source = database(pg, "stream_src_" + suffix);
        SourceDatabase target = database(pg, "stream_dst_" + suffix);
        List<Workload> workloads = workloads();
        List<String> tables = new ArrayList<>();
        Markers.create(source);
        tables.add(Markers.TABLE);
        for (Workload w : workloads) {
            w.setUp(source);
            tables.addAll(w.tables());
        }
        out.printf(Locale.ROOT, "%nStreaming, %s: snapshot of the workloads' preloaded rows first%n", label);
        return new StreamSetUp(source, target, workloads, tables);
    }

    /**
     * The workloads streamed by one stage of walflow alone (no target), each beside its decode
     * limit, held back and released like walflow itself. No latency: nothing is committed.
     */
    private void stageStreaming(PostgresServer pg, MemorySampler memory, WalflowJob.Stage stage) throws Exception {
        String suffix = stage.name().toLowerCase(Locale.ROOT);
        StreamSetUp setUp = setUpStreaming(pg, suffix, stage.label);
        SourceDatabase source = setUp.source();
        SourceDatabase target = setUp.target();
        List<Workload> workloads = setUp.workloads();
        List<String> tables = setUp.tables();
        String name = "bench_" + suffix;
        Markers markers = new Markers();
        try (WalflowJob job = WalflowJob.start(stage, source, target, name, tables, "at-least-once",
                CHECKPOINT_INTERVAL, settings.jobArgs());
                Connection src = source.connect()) {
            job.awaitStreaming(CATCH_UP_TIMEOUT);
            StageProbe.awaitMarker(markers.write(src), CATCH_UP_TIMEOUT);
            for (Workload w : workloads) {
                long events = w.eventsOf(settings.streamEvents());
                out.printf(Locale.ROOT, "  %s, %s: writing %,d changes while it is held back%n", w.name(), stage.label, events);
                Backlog backlog = backlog(source, target, name, markers, src, w, events, memory, PostgresBenchmark::probeHold);
                Result result = new Result(w.name(), stage.label, backlog.written(), backlog.seconds(), "pg_recvlogical",
                        backlog.decodeSeconds(), backlog.writeSeconds(), Double.NaN, Double.NaN, backlog.peaks(), backlog.cpu());
                out.println(result.row());
                results.add(result);
            }
        }
        drop(pg, source, target);
    }

    private record Backlog(long written, double writeSeconds, double decodeSeconds, double seconds,
            MemorySampler.Peaks peaks, CpuMeter.Cpu cpu) {}

    /** Holds a job back where it would write, lets it go, and sees the marker arrive. */
    private interface Hold extends AutoCloseable {
        void release() throws Exception;

        void awaitMarker(long marker) throws Exception;
    }

    /**
     * One workload's changes written while the job is held back, decoded by pg_recvlogical, then
     * drained by the job: the source's write time, the decode time and the job's time.
     */
    private Backlog backlog(SourceDatabase source, SourceDatabase target, String publication, Markers markers, Connection src,
            Workload workload, long events, MemorySampler memory, Callable<Hold> holdBack) throws Exception {
        // The slot first: making it waits for every transaction in the server with an xid to
        // end, and a table lock's transaction has one.
        try (DecodeLimit limit = DecodeLimit.begin(source, publication); Hold hold = holdBack.call()) {
            long writeStart = System.nanoTime();
            long written = workload.run(source, events, 0);
            double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
            long marker = markers.write(src);
            out.printf(Locale.ROOT, "    pg_recvlogical decoded them in %.2f s; releasing%n", limit.decode());
            memory.reset();
            CpuMeter.Reading cpuAtStart = cpu.read(source.name(), target.name());
            long start = System.nanoTime();
            hold.release();
            hold.awaitMarker(marker);
            double seconds = (System.nanoTime() - start) / 1e9;
            CpuMeter.Cpu spent = CpuMeter.between(cpuAtStart, cpu.read(source.name(), target.name()));
            MemorySampler.Peaks peaks = memory.peaks();
            // The catch-up's own writes to the target are WAL of the same server, which the
            // job's walsender reads (and skips) before anything written after them: a marker
            // through, so the job is idle at the end of the WAL for what follows (the second
            // decode, the latency phase), as it was for the first decode.
            hold.awaitMarker(markers.write(src));
            out.printf(Locale.ROOT, "    done in %.2f s; pg_recvlogical again: %.2f s%n", seconds, limit.decode());
            return new Backlog(written, writeSeconds, limit.fastestSeconds(), seconds, peaks, spent);
        }
    }

    /** walflow held back by an exclusive lock on the workload's target tables. */
    private static Hold lockHold(SourceDatabase target, Workload workload) throws SQLException {
        Connection lock = target.connect();
        lock.setAutoCommit(false);
        SqlRunner.execute(lock, "LOCK TABLE " + String.join(", ", workload.tables()) + " IN ACCESS EXCLUSIVE MODE");
        return new Hold() {
            @Override
            public void release() throws SQLException {
                lock.commit();
            }

            @Override
            public void awaitMarker(long marker) throws Exception {
                Markers.await(target, marker, CATCH_UP_TIMEOUT);
            }

            @Override
            public void close() throws SQLException {
                lock.close();
            }
        };
    }

    /** A stage held back by {@link StageProbe}'s gate. */
    private static Hold probeHold() {
        StageProbe.hold();
        return new Hold() {
            @Override
            public void release() {
                StageProbe.release();
            }

            @Override
            public void awaitMarker(long marker) throws InterruptedException {
                StageProbe.awaitMarker(marker, CATCH_UP_TIMEOUT);
            }

            @Override
            public void close() {
                StageProbe.release();
            }
        };
    }

    private List<WalflowJob.Stage> stages() {
        List<WalflowJob.Stage> stages = new ArrayList<>();
        for (String s : settings.stages()) {
            stages.add(s.equals("capture") ? WalflowJob.Stage.CAPTURE : WalflowJob.Stage.CONNECTOR);
        }
        return stages;
    }

    /** The limit and walflow's rate for one workload's changes, then latency at half that rate. */
    private Result catchUp(SourceDatabase source, SourceDatabase target, String publication, Markers markers,
            Connection src, Workload workload, long events, String mode, MemorySampler memory) throws Exception {
        out.printf(Locale.ROOT, "  %s, %s: writing %,d changes while walflow is held back%n", workload.name(), mode, events);
        Backlog backlog = backlog(source, target, publication, markers, src, workload, events, memory, () -> lockHold(target, workload));
        long written = backlog.written();
        double seconds = backlog.seconds();
        double rate = written / seconds;
        out.printf(Locale.ROOT, "    walflow: %.2f s, %,.0f events/s; latency at %,.0f events/s for %d s%n",
                seconds, rate, rate / 2, settings.latencySeconds());
        LatencyProbe.Latency latency = LatencyProbe.measure(source, target, markers, workload,
                (long) (rate / 2 * settings.latencySeconds()), rate / 2);
        Result result = new Result(workload.name(), mode, written, seconds, "pg_recvlogical", backlog.decodeSeconds(),
                backlog.writeSeconds(), latency.p50(), latency.p99(), backlog.peaks(), backlog.cpu());
        out.println(result.row());
        return result;
    }

    private List<Workload> workloads() {
        List<Workload> chosen = new ArrayList<>();
        for (String w : settings.workloads()) {
            chosen.add(switch (w) {
                case "bulk" -> new BulkInsertWorkload();
                case "mix" -> new UpdateMixWorkload(settings.mixPreload());
                case "pgbench" -> new PgbenchWorkload(settings.pgbenchScale());
                case "toast" -> new WideToastWorkload(settings.widePreload());
                default -> throw new IllegalArgumentException("Unknown workload " + w);
            });
        }
        return chosen;
    }

    static SourceDatabase database(PostgresServer pg, String name) {
        pg.createDatabase(name);
        return new SourceDatabase(pg, name);
    }

    /**
     * Drops the databases. A job cancelled just as its stream reader starts can leave Debezium's
     * reader running for a moment, and it makes the slot again when it finds it gone; its
     * walsender is ended and the slot dropped until the database goes.
     */
    static void drop(PostgresServer pg, SourceDatabase... databases) throws SQLException, InterruptedException {
        try (Connection c = pg.connect("postgres")) {
            for (SourceDatabase d : databases) {
                String slots = "FROM pg_replication_slots WHERE database = '" + d.name() + "'";
                for (int attempt = 1; ; attempt++) {
                    try {
                        SqlRunner.execute(c, "SELECT pg_terminate_backend(active_pid) " + slots + " AND active");
                        SqlRunner.execute(c, "SELECT pg_drop_replication_slot(slot_name) " + slots + " AND NOT active");
                        SqlRunner.execute(c, "DROP DATABASE IF EXISTS \"" + d.name() + "\" WITH (FORCE)");
                        break;
                    } catch (IllegalStateException e) {
                        if (attempt == 20) {
                            throw e;
                        }
                        Thread.sleep(500);
                    }
                }
            }
        }
    }
}
