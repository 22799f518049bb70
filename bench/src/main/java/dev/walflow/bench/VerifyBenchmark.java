package dev.walflow.bench;

import dev.walflow.bench.postgres.CopyLimit;
import dev.walflow.job.VerifyJob;
import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;
import dev.walflow.verify.VerifyReport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.PrintStream;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rows/s of VerifyJob over one table beside the rate at which PostgreSQL itself copies that
 * table out ({@code COPY ... TO STDOUT}), on one embedded PostgreSQL holding the source and the
 * target database with the same rows.
 *
 * <pre>
 * deploy/bench-verify.sh [--rows N] [--parallelism P]
 * </pre>
 *
 * Each measurement is the best of {@link #RUNS} runs. A verify run is timed from its start
 * (planning, submission to a running local cluster, the Flink job) to its report; both
 * databases compute their checksums, so it reads twice the rows that COPY does.
 */
public final class VerifyBenchmark {

    private static final int RUNS = 3;
    private static final String TABLE = "bench_rows";
    private static final String DDL = "CREATE TABLE " + TABLE
            + " (id bigint PRIMARY KEY, qty int NOT NULL, price numeric(12,2), note text, at timestamptz)";

    private VerifyBenchmark() {}

    public static void main(String[] args) throws Exception {
        long rows = 1_000_000;
        int parallelism = 2;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rows":
                    rows = Long.parseLong(args[i + 1]);
                    break;
                case "--parallelism":
                    parallelism = Integer.parseInt(args[i + 1]);
                    break;
                default:
                    throw new IllegalArgumentException("Unknown argument " + args[i] + " (use --rows N --parallelism P)");
            }
        }
        run(System.out, rows, parallelism);
        // Flink's and the drivers' threads are not all daemons.
        System.exit(0);
    }

    static List<String> run(PrintStream out, long rows, int parallelism) throws Exception {
        List<String> table = new ArrayList<>();
        try (PostgresServer pg = PostgresServer.start()) {
            for (String db : List.of("bench_src", "bench_dst")) {
                pg.createDatabase(db);
                try (Connection c = pg.connect(db)) {
                    out.printf(Locale.ROOT, "Loading %,d rows into %s...%n", rows, db);
                    SqlRunner.execute(c, DDL,
                            "INSERT INTO " + TABLE + " SELECT g, g % 1000, g * 0.01, md5(g::text),"
                                    + " '2026-01-01 00:00:00+00'::timestamptz + g * interval '1 second'"
                                    + " FROM generate_series(1, " + rows + ") g",
                            "VACUUM ANALYZE " + TABLE);
                }
            }
            double copySeconds = Double.MAX_VALUE;
            for (int i = 0; i < RUNS; i++) {
                copySeconds = Math.min(copySeconds, copy(pg));
            }
            table.add(row("COPY " + TABLE + " TO STDOUT (source only)", rows, copySeconds, 1));
            double verifySeconds = Double.MAX_VALUE;
            MiniCluster cluster = startCluster(parallelism);
            for (int i = 0; i < RUNS; i++) {
                int port = cluster.getRestAddress().get().getPort();
                VerifyReport report = VerifyJob.run(() -> StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1", port),
                        "--source.url", pg.jdbcUrl("bench_src"), "--source.username", PostgresServer.USER,
                        "--source.password", PostgresServer.PASSWORD, "--source.tables", "public." + TABLE,
                        "--source.slot-name", "bench_verify",
                        "--sink.postgres.url", pg.jdbcUrl("bench_dst"), "--sink.postgres.username", PostgresServer.USER,
                        "--sink.postgres.password", PostgresServer.PASSWORD, "--history.enabled", "false",
                        "--verify.parallelism", String.valueOf(parallelism));
                if (report.status() != VerifyReport.Status.CONSISTENT || report.recordsScanned != rows) {
                    throw new IllegalStateException("The verify run did not find the two copies equal: " + report.summary());
                }
                verifySeconds = Math.min(verifySeconds, report.durationMillis / 1000.0);
            }
            cluster.close();
            table.add(row("VerifyJob, parallelism " + parallelism + " (source and target)", rows, verifySeconds,
                    copySeconds / verifySeconds));
        }
        out.println();
        out.println("| measurement | rows | seconds | rows/s | ratio to COPY |");
        out.println("|---|---:|---:|---:|---:|");
        table.forEach(out::println);
        return table;
    }

    /** A running cluster, as a verify job on a real one finds it. */
    private static MiniCluster startCluster(int slots) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.PORT, 0);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(slots).build());
        cluster.start();
        return cluster;
    }

    private static double copy(PostgresServer pg) throws Exception {
        try (Connection c = pg.connect("bench_src")) {
            return CopyLimit.copySeconds(c, TABLE);
        }
    }

    private static String row(String what, long rows, double seconds, double ratio) {
        return String.format(Locale.ROOT, "| %s | %,d | %.2f | %,.0f | %.2f |", what, rows, seconds, rows / seconds, ratio);
    }
}
