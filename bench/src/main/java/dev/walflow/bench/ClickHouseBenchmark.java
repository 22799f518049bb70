package dev.walflow.bench;

import dev.walflow.job.ReplicationJob;
import dev.walflow.schema.Catalog;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import dev.walflow.sink.DeliveryGuarantee;
import dev.walflow.sink.clickhouse.ClickHouseConfig;
import dev.walflow.sink.clickhouse.ClickHouseDdl;
import dev.walflow.testkit.ClickHouseServer;
import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.PrintStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Rows/s of the ClickHouse sink beside the rate of inserting the same rows straight into the
 * engine, on this machine, in one run: an embedded PostgreSQL and the ClickHouse engine (the
 * test front end over chdb, or {@code CLICKHOUSE_TEST_URL}), the job on a local MiniCluster.
 *
 * <pre>
 * deploy/bench-clickhouse.sh [--rows N] [--stream-rows N]
 * </pre>
 *
 * Measures: (1) direct batched INSERTs through clickhouse-jdbc of the rows read from
 * PostgreSQL; (2) walflow's snapshot of the table into PostgreSQL and ClickHouse
 * (exactly-once); (3) streaming of inserts written after the snapshot; (4) the same snapshot
 * with no ClickHouse sink, to show what the ClickHouse branch costs.
 */
public final class ClickHouseBenchmark {

    private static final String TABLE = "bench_rows";
    private static final String DDL = "CREATE TABLE " + TABLE
            + " (id bigint PRIMARY KEY, qty int NOT NULL, price numeric(12,2), note text, at timestamptz)";
    private static final int DIRECT_BATCH = 20_000;

    private final PrintStream out;
    private final long rows;
    private final long streamRows;
    private final List<String> results = new ArrayList<>();

    private ClickHouseBenchmark(PrintStream out, long rows, long streamRows) {
        this.out = out;
        this.rows = rows;
        this.streamRows = streamRows;
    }

    public static void main(String[] args) throws Exception {
        long rows = 200_000;
        long streamRows = 100_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rows":
                    rows = Long.parseLong(args[i + 1]);
                    break;
                case "--stream-rows":
                    streamRows = Long.parseLong(args[i + 1]);
                    break;
                default:
                    throw new IllegalArgumentException("Unknown argument " + args[i] + " (use --rows N --stream-rows N)");
            }
        }
        run(System.out, rows, streamRows);
        // Flink's and the drivers' threads are not all daemons.
        System.exit(0);
    }

    /** Runs the measurements and returns the table's rows (also printed to {@code out}). */
    static List<String> run(PrintStream out, long rows, long streamRows) throws Exception {
        ClickHouseBenchmark benchmark = new ClickHouseBenchmark(out, rows, streamRows);
        benchmark.measure();
        return benchmark.results;
    }

    private void measure() throws Exception {
        out.printf(Locale.ROOT, "ClickHouse sink benchmark: %,d snapshot rows, %,d streamed rows; %d cores%n",
                rows, streamRows, Runtime.getRuntime().availableProcessors());
        try (PostgresServer pg = PostgresServer.start(); ClickHouseServer ch = ClickHouseServer.start()) {
            out.println("ClickHouse: " + (ch.isExternal() ? "server at " + ch.httpUrl() : "test front end over chdb at " + ch.httpUrl()));
            pg.createDatabase("bench_src");
            try (Connection c = pg.connect("bench_src")) {
                SqlRunner.execute(c, DDL, "INSERT INTO " + TABLE + " SELECT g, g % 1000, (g % 100000) / 100.0,"
                        + " md5(g::text), timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(1, " + rows + ") g");
            }
            direct(pg, ch);
            walflow(pg, ch, true);
            walflow(pg, ch, false);
        }
        out.println();
        out.println("| measurement | rows | seconds | rows/s |");
        out.println("|---|---:|---:|---:|");
        results.forEach(out::println);
    }

    /** The rows read from PostgreSQL and inserted with batched PreparedStatements. */
    private void direct(PostgresServer pg, ClickHouseServer ch) throws Exception {
        ClickHouseConfig config = new ClickHouseConfig(ch.jdbcUrl(), ch.user(), ch.password(), "bench_direct", null,
                DIRECT_BATCH, 1 << 26, Duration.ofSeconds(1), 0, 100, DeliveryGuarantee.EXACTLY_ONCE, "bench", 0);
        TableInfo table;
        try (Connection c = pg.connect("bench_src")) {
            table = Catalog.read(c, new TableId("public", TABLE)).orElseThrow();
        }
        ch.execute("DROP DATABASE IF EXISTS bench_direct SYNC");
        ch.execute(ClickHouseDdl.createDatabase(config));
        for (String sql : ClickHouseDdl.create(config, table)) {
            ch.execute(sql);
        }
        long start = System.nanoTime();
        try (Connection src = pg.connect("bench_src"); Connection dst = ch.connect("bench_direct")) {
            src.setAutoCommit(false);
            try (Statement s = src.createStatement()) {
                s.setFetchSize(10_000);
                try (ResultSet rs = s.executeQuery("SELECT id, qty, price, note, at FROM " + TABLE);
                        PreparedStatement ps = dst.prepareStatement("INSERT INTO " + TABLE
                                + " (id, qty, price, note, at, _version, _deleted) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    long n = 0;
                    while (rs.next()) {
                        ps.setLong(1, rs.getLong(1));
                        ps.setInt(2, rs.getInt(2));
                        ps.setBigDecimal(3, rs.getBigDecimal(3));
                        ps.setString(4, rs.getString(4));
                        ps.setObject(5, rs.getObject(5, java.time.OffsetDateTime.class));
                        ps.setLong(6, 0);
                        ps.setInt(7, 0);
                        ps.addBatch();
                        if (++n % DIRECT_BATCH == 0) {
                            ps.executeBatch();
                            progress("direct insert", n, rows);
                        }
                    }
                    if (n % DIRECT_BATCH != 0) {
                        // An empty batch is an INSERT without data, which ClickHouse refuses.
                        ps.executeBatch();
                    }
                }
            }
        }
        record("direct INSERT via clickhouse-jdbc (batches of " + DIRECT_BATCH + ")", rows, System.nanoTime() - start);
    }

    /** Snapshot, then streamed inserts, through the job; with or without the ClickHouse sink. */
    private void walflow(PostgresServer pg, ClickHouseServer ch, boolean withClickHouse) throws Exception {
        String run = withClickHouse ? "ch" : "pg";
        String target = "bench_dst_" + run;
        pg.createDatabase(target);
        String database = "bench_walflow";
        ch.execute("DROP DATABASE IF EXISTS " + database + " SYNC");
        List<String> args = new ArrayList<>(List.of(
                "--source.url", pg.jdbcUrl("bench_src"), "--source.username", PostgresServer.USER,
                "--source.password", PostgresServer.PASSWORD, "--source.slot-name", "bench_" + run,
                "--source.publication", "bench_" + run, "--source.tables", "public." + TABLE,
                "--sink.postgres.url", pg.jdbcUrl(target), "--sink.postgres.username", PostgresServer.USER,
                "--sink.postgres.password", PostgresServer.PASSWORD, "--history.enabled", "false",
                "--checkpoint.interval", "1s", "--job.name", "bench_" + run,
                // Exactly-once ClickHouse batches wait in the checkpoint: more than the 5 MB the
                // JobManager's memory storage takes.
                "--checkpoint.dir", Files.createTempDirectory("walflow-bench-checkpoints").toUri().toString()));
        if (withClickHouse) {
            args.addAll(List.of("--sink.clickhouse.url", ch.jdbcUrl(), "--sink.clickhouse.username", ch.user(),
                    "--sink.clickhouse.database", database));
            if (!ch.password().isEmpty()) {
                args.addAll(List.of("--sink.clickhouse.password", ch.password()));
            }
        }
        LongSupplier landed = withClickHouse
                ? () -> Long.parseLong(ch.execute("SELECT count() FROM " + database + "." + TABLE).trim())
                : () -> count(pg, target);
        String where = withClickHouse ? "PostgreSQL + ClickHouse" : "PostgreSQL only";
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(new Configuration());
        env.setParallelism(1);
        ReplicationJob.build(env, args.toArray(new String[0]));
        long start = System.nanoTime();
        JobClient job = env.executeAsync("bench_" + run);
        try {
            awaitRows(landed, rows, "snapshot into " + where);
            record("walflow snapshot into " + where + " (exactly-once)", rows, System.nanoTime() - start);
            if (withClickHouse && streamRows > 0) {
                long streamStart = System.nanoTime();
                try (Connection c = pg.connect("bench_src")) {
                    for (long first = rows + 1; first <= rows + streamRows; first += 10_000) {
                        long last = Math.min(rows + streamRows, first + 9_999);
                        SqlRunner.execute(c, "INSERT INTO " + TABLE + " SELECT g, g % 1000, (g % 100000) / 100.0,"
                                + " md5(g::text), now() FROM generate_series(" + first + ", " + last + ") g");
                    }
                }
                awaitRows(landed, rows + streamRows, "streamed inserts into " + where);
                record("walflow streaming inserts into " + where + " (exactly-once, 10k-row transactions)",
                        streamRows, System.nanoTime() - streamStart);
            }
        } finally {
            job.cancel().get();
            try (Connection c = pg.connect("bench_src")) {
                awaitInactive(c, "bench_" + run);
                SqlRunner.execute(c, "SELECT pg_drop_replication_slot('bench_" + run + "')");
            }
        }
    }

    private static long count(PostgresServer pg, String database) {
        try (Connection c = pg.connect(database)) {
            return SqlRunner.queryLong(c, "SELECT count(*) FROM " + TABLE);
        } catch (Exception e) {
            return 0; // the table is created by the job's preflight
        }
    }

    private void awaitRows(LongSupplier landed, long expected, String what) throws InterruptedException {
        long lastShown = 0;
        while (true) {
            long n;
            try {
                n = landed.getAsLong();
            } catch (RuntimeException e) {
                n = 0;
            }
            if (n >= expected) {
                return;
            }
            if (System.nanoTime() - lastShown > 5_000_000_000L) {
                progress(what, n, expected);
                lastShown = System.nanoTime();
            }
            Thread.sleep(100);
        }
    }

    private static void awaitInactive(Connection c, String slot) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            if (SqlRunner.queryLong(c, "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '" + slot + "'") == 0) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private void progress(String what, long done, long total) {
        out.printf(Locale.ROOT, "  %s: %,d of %,d rows%n", what, done, total);
    }

    private void record(String what, long n, long nanos) {
        double seconds = nanos / 1e9;
        String line = String.format(Locale.ROOT, "| %s | %,d | %.1f | %,.0f |", what, n, seconds, n / seconds);
        out.println(line);
        results.add(line);
    }
}
