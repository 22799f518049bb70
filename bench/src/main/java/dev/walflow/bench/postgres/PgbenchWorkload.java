package dev.walflow.bench.postgres;

import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * pgbench's TPC-B-like transaction (three single-row updates and one insert into
 * pgbench_history), run by pgbench itself with a fixed random seed. pgbench_history has no key;
 * walflow needs one, so the benchmark gives it a bigserial primary key (pgbench names its
 * columns when it inserts).
 */
final class PgbenchWorkload implements Workload {

    static final int EVENTS_PER_TRANSACTION = 4;
    private static final int CLIENTS = 2;

    private final int scale;
    private int runs;

    PgbenchWorkload(int scale) {
        this.scale = scale;
    }

    @Override
    public String name() {
        return "pgbench TPC-B";
    }

    /** pgbench's source writes some 4,000 changes/s: a fifth of the changes. */
    @Override
    public long eventsOf(long streamEvents) {
        return Math.max(1, streamEvents / 5);
    }

    @Override
    public List<String> tables() {
        return List.of("public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers",
                "public.pgbench_history");
    }

    @Override
    public void setUp(SourceDatabase source) throws Exception {
        Tools.run(pgbench(source, "-i", "-q", "-s", Integer.toString(scale)), "pgbench -i");
        try (Connection c = source.connect()) {
            SqlRunner.execute(c, "ALTER TABLE pgbench_history ADD COLUMN hid bigserial PRIMARY KEY");
        }
    }

    @Override
    public long run(SourceDatabase source, long events, double eventsPerSecond) throws Exception {
        long transactions = (events + EVENTS_PER_TRANSACTION - 1) / EVENTS_PER_TRANSACTION;
        long perClient = Math.max(1, (transactions + CLIENTS - 1) / CLIENTS);
        List<String> command = pgbench(source, "-n", "-c", Integer.toString(CLIENTS), "-j", Integer.toString(CLIENTS),
                "-t", Long.toString(perClient), "--random-seed", Integer.toString(42 + runs++));
        if (eventsPerSecond > 0) {
            command.addAll(List.of("-R", String.format(Locale.ROOT, "%.0f", Math.max(1, eventsPerSecond / EVENTS_PER_TRANSACTION))));
        }
        Tools.run(command, "pgbench");
        return perClient * CLIENTS * EVENTS_PER_TRANSACTION;
    }

    private static List<String> pgbench(SourceDatabase source, String... args) {
        List<String> command = new ArrayList<>(List.of(Tools.binary("pgbench").toString(),
                "-h", "127.0.0.1", "-p", Integer.toString(source.server().port()), "-U", PostgresServer.USER));
        command.addAll(List.of(args));
        command.add(source.name());
        return command;
    }
}
