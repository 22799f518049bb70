package dev.walflow.bench.postgres;

import dev.walflow.testkit.SqlRunner;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Random;

/**
 * An update-heavy mix in transactions of 100 single-row statements: 70 updates of random rows
 * of a preloaded table, 20 inserts, 10 deletes of rows this workload inserted.
 */
final class UpdateMixWorkload implements Workload {

    static final int STATEMENTS_PER_TRANSACTION = 100;

    private final long preloaded;
    private final Random random = new Random(7);
    private long nextInsert;
    private long nextDelete;

    UpdateMixWorkload(long preloaded) {
        this.preloaded = preloaded;
        this.nextInsert = preloaded + 1;
        this.nextDelete = preloaded + 1;
    }

    @Override
    public String name() {
        return "update-heavy mix";
    }

    @Override
    public List<String> tables() {
        return List.of("public.mix_rows");
    }

    @Override
    public void setUp(SourceDatabase source) throws Exception {
        try (Connection c = source.connect()) {
            SqlRunner.execute(c,
                    "CREATE TABLE mix_rows (id bigint PRIMARY KEY, qty int NOT NULL, note text, at timestamptz)",
                    "INSERT INTO mix_rows SELECT g, g % 1000, md5(g::text), timestamptz '2024-01-01' + g * interval '1 second'"
                            + " FROM generate_series(1, " + preloaded + ") g");
        }
    }

    @Override
    public long run(SourceDatabase source, long events, double eventsPerSecond) throws Exception {
        long written = 0;
        long start = System.nanoTime();
        try (Connection c = source.connect();
                PreparedStatement update = c.prepareStatement("UPDATE mix_rows SET qty = qty + 1, note = ?, at = now() WHERE id = ?");
                PreparedStatement insert = c.prepareStatement("INSERT INTO mix_rows VALUES (?, ?, md5(?::text), now())");
                PreparedStatement delete = c.prepareStatement("DELETE FROM mix_rows WHERE id = ?")) {
            c.setAutoCommit(false);
            while (written < events) {
                for (int i = 0; i < STATEMENTS_PER_TRANSACTION; i++) {
                    int pick = random.nextInt(100);
                    if (pick < 70) {
                        update.setString(1, Long.toHexString(random.nextLong()));
                        update.setLong(2, 1 + (long) (random.nextDouble() * preloaded));
                        update.addBatch();
                    } else if (pick < 90 || nextDelete >= nextInsert) {
                        insert.setLong(1, nextInsert);
                        insert.setInt(2, pick);
                        insert.setLong(3, nextInsert++);
                        insert.addBatch();
                    } else {
                        delete.setLong(1, nextDelete++);
                        delete.addBatch();
                    }
                }
                // Inserts first: a delete in this batch may remove a row inserted in it.
                insert.executeBatch();
                update.executeBatch();
                delete.executeBatch();
                c.commit();
                written += STATEMENTS_PER_TRANSACTION;
                Workload.pace(start, written, eventsPerSecond);
            }
        }
        return written;
    }
}
