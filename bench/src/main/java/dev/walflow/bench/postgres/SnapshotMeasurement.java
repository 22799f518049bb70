package dev.walflow.bench.postgres;

import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** COPY of a table beside walflow's snapshot of it (exactly-once), timed from job submission. */
final class SnapshotMeasurement {

    private static final long FILL_STEP = 1_000_000;
    private static final long TAIL = 1_000;
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofHours(1);

    private final PostgresServer pg;
    private final MemorySampler memory;
    private final CpuMeter cpu;
    private final PrintStream out;
    private final List<String> jobArgs;

    SnapshotMeasurement(PostgresServer pg, MemorySampler memory, CpuMeter cpu, PrintStream out, List<String> jobArgs) {
        this.pg = pg;
        this.memory = memory;
        this.cpu = cpu;
        this.out = out;
        this.jobArgs = jobArgs;
    }

    Result measure(long rows) throws Exception {
        return measure(rows, WalflowJob.Stage.WALFLOW);
    }

    /** The snapshot of {@code rows} rows by walflow, or by one of its stages alone. */
    Result measure(long rows, WalflowJob.Stage stage) throws Exception {
        SourceDatabase source = PostgresBenchmark.database(pg, "snap_src");
        SourceDatabase target = PostgresBenchmark.database(pg, "snap_dst");
        out.printf(Locale.ROOT, "%nSnapshot of %,d rows: filling the table%n", rows);
        double writeSeconds;
        try (Connection c = source.connect()) {
            SqlRunner.execute(c, "CREATE TABLE snap_rows (id bigint PRIMARY KEY, qty int NOT NULL,"
                    + " price numeric(12,2), note text, at timestamptz)");
            long writeStart = System.nanoTime();
            for (long first = 1; first <= rows; first += FILL_STEP) {
                long last = Math.min(rows, first + FILL_STEP - 1);
                SqlRunner.execute(c, "INSERT INTO snap_rows SELECT g, g % 1000, (g % 100000) / 100.0, md5(g::text),"
                        + " timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(" + first + ", " + last + ") g");
            }
            writeSeconds = (System.nanoTime() - writeStart) / 1e9;
            SqlRunner.execute(c, "VACUUM ANALYZE snap_rows");
        }
        double copySeconds = CopyLimit.copySeconds(source, "snap_rows");
        out.printf(Locale.ROOT, "  COPY: %.2f s; %s snapshot...%n", copySeconds, stage.label);
        memory.reset();
        CpuMeter.Reading cpuAtStart = cpu.read(source.name(), target.name());
        long start = System.nanoTime();
        double seconds;
        MemorySampler.Peaks peaks;
        CpuMeter.Cpu spent;
        try (WalflowJob job = WalflowJob.start(stage, source, target, "bench_snapshot", List.of("public.snap_rows"),
                "exactly-once", PostgresBenchmark.CHECKPOINT_INTERVAL, jobArgs)) {
            if (stage == WalflowJob.Stage.WALFLOW) {
                awaitRows(target, rows);
            } else {
                StageProbe.awaitEvents(rows, SNAPSHOT_TIMEOUT);
            }
            seconds = (System.nanoTime() - start) / 1e9;
            peaks = memory.peaks();
            spent = CpuMeter.between(cpuAtStart, cpu.read(source.name(), target.name()));
        }
        PostgresBenchmark.drop(pg, source, target);
        String mode = stage == WalflowJob.Stage.WALFLOW ? "exactly-once" : stage.label;
        Result result = new Result(String.format(Locale.ROOT, "snapshot %,d rows", rows), mode, rows, seconds,
                "COPY", copySeconds, writeSeconds, Double.NaN, Double.NaN, peaks, spent);
        out.println(result.row());
        return result;
    }

    /**
     * Waits until the target holds every row. Counting a large table costs CPU the job needs,
     * so the whole count runs only once the last keys (the last chunk) are there, and the
     * frequent count of those keys must use the primary key's index: the target table has no
     * statistics while it fills, and the planner took a parallel scan of the whole table five
     * times a second, which grew to half a core by the end of a 10M-row snapshot.
     */
    private void awaitRows(SourceDatabase target, long rows) throws Exception {
        long tailFrom = Math.max(1, rows - TAIL + 1);
        long lastShown = System.nanoTime();
        try (Connection c = target.connect()) {
            SqlRunner.execute(c, "SET enable_seqscan = off", "SET max_parallel_workers_per_gather = 0");
            while (true) {
                if (count(c, "id >= " + tailFrom) == rows - tailFrom + 1 && count(c, "true") == rows) {
                    return;
                }
                if (System.nanoTime() - lastShown > 10_000_000_000L) {
                    // The statistics' insert count, not a count of the table (which costs a scan).
                    out.printf(Locale.ROOT, "    %,d of %,d rows%n", SqlRunner.queryLong(c,
                            "SELECT coalesce(max(n_tup_ins), 0) FROM pg_stat_user_tables WHERE relname = 'snap_rows'"), rows);
                    lastShown = System.nanoTime();
                }
                Thread.sleep(200);
            }
        }
    }

    private static long count(Connection c, String where) {
        try {
            return SqlRunner.queryLong(c, "SELECT count(*) FROM snap_rows WHERE " + where);
        } catch (IllegalStateException e) {
            return 0;
        }
    }
}
