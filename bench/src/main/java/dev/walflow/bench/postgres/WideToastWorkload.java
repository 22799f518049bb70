package dev.walflow.bench.postgres;

import dev.walflow.testkit.SqlRunner;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Random;

/**
 * Wide rows whose text is stored out of line (TOAST): transactions of 20 inserts of rows with
 * about 6.4 kB of poorly compressible text and 20 updates of a small column of random rows,
 * which the WAL carries without the unchanged TOASTed value.
 */
final class WideToastWorkload implements Workload {

    static final int INSERTS_PER_TRANSACTION = 20;
    static final int UPDATES_PER_TRANSACTION = 20;
    private static final String BODY =
            "(SELECT string_agg(md5((g * 1000 + i)::text), '') FROM generate_series(1, 200) i)";

    private final long preloaded;
    private final Random random = new Random(11);
    private long nextId;

    WideToastWorkload(long preloaded) {
        this.preloaded = preloaded;
        this.nextId = preloaded + 1;
    }

    @Override
    public String name() {
        return "wide rows, TOAST";
    }

    /** The source writes some 6,000 wide rows/s: a tenth of the changes. */
    @Override
    public long eventsOf(long streamEvents) {
        return Math.max(1, streamEvents / 10);
    }

    @Override
    public List<String> tables() {
        return List.of("public.wide_rows");
    }

    @Override
    public void setUp(SourceDatabase source) throws Exception {
        try (Connection c = source.connect()) {
            SqlRunner.execute(c,
                    "CREATE TABLE wide_rows (id bigint PRIMARY KEY, n int NOT NULL, label text, body text)",
                    "INSERT INTO wide_rows SELECT g, 0, 'row ' || g, " + BODY + " FROM generate_series(1, " + preloaded + ") g");
        }
    }

    @Override
    public long run(SourceDatabase source, long events, double eventsPerSecond) throws Exception {
        long written = 0;
        long start = System.nanoTime();
        try (Connection c = source.connect();
                PreparedStatement insert = c.prepareStatement("INSERT INTO wide_rows SELECT g, 0, 'row ' || g, " + BODY
                        + " FROM generate_series(?, ?) g");
                PreparedStatement update = c.prepareStatement("UPDATE wide_rows SET n = n + 1 WHERE id = ANY(?)")) {
            c.setAutoCommit(false);
            while (written < events) {
                insert.setLong(1, nextId);
                insert.setLong(2, nextId + INSERTS_PER_TRANSACTION - 1);
                insert.executeUpdate();
                nextId += INSERTS_PER_TRANSACTION;
                // Distinct ids, so each update changes one row once.
                Long[] ids = random.longs(0, nextId - 1).distinct().limit(UPDATES_PER_TRANSACTION)
                        .map(x -> x + 1).boxed().toArray(Long[]::new);
                update.setArray(1, c.createArrayOf("bigint", ids));
                update.executeUpdate();
                c.commit();
                written += INSERTS_PER_TRANSACTION + UPDATES_PER_TRANSACTION;
                Workload.pace(start, written, eventsPerSecond);
            }
        }
        return written;
    }
}
