package dev.walflow.job.it;

import dev.walflow.job.VerifyJob;
import dev.walflow.testkit.SqlRunner;
import dev.walflow.verify.VerifyReport;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * VerifyJob beside a running pipeline: clean under concurrent writes; then drift injected into
 * the target and change_history (a deleted row, an extra row, a changed column, a composite-key
 * row deleted, a row without history, a row with stale history) reported exactly while one more
 * row only lags behind (its commit held until the verifier waits for it); repaired; and clean
 * afterwards.
 */
@ExtendWith(TestPostgres.class)
class VerifyITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    private static final String DDL =
            "CREATE TABLE items (id int PRIMARY KEY, name text, qty int, price numeric(10,2), at timestamptz);"
                    + "CREATE TABLE lines (order_id int, line_no int, qty int, PRIMARY KEY (order_id, line_no));";

    @AfterEach
    void release() {
        FailingSink.reset();
    }

    @Test
    void reportsDriftExactlyRepairsItAndVerifiesClean() throws Exception {
        FailingSink.reset();
        String source = TestPostgres.newDatabase("verify_src");
        String target = TestPostgres.newDatabase("verify_dst");
        try (Pipeline p = new Pipeline(source, target, "verify_slot")) {
            p.sourceSql(DDL,
                    "INSERT INTO items SELECT g, 'item ' || g, g % 17, g * 1.25, '2026-01-01 00:00:00+00'::timestamptz + g * interval '1 minute'"
                            + " FROM generate_series(1, 3000) g",
                    "INSERT INTO lines SELECT o, l, o * l FROM generate_series(1, 500) o, generate_series(1, 4) l");
            try (Connection t = p.target()) {
                // Created before walflow, with the key's columns in another order than the source's.
                SqlRunner.execute(t, "CREATE TABLE lines (order_id int, line_no int, qty int, PRIMARY KEY (line_no, order_id))");
            }
            p.param("source.tables", "public.items,public.lines").start(FailingSink::slowCommits);
            p.awaitTargetEqualsSource("public.items", "public.lines");

            // 1. A clean pipeline under concurrent writes: nothing to report.
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> write(p, writing, written));
            VerifyReport clean;
            try {
                clean = verify(p, "--verify.parallelism", "2");
            } finally {
                writing.set(false);
                writer.get(30, TimeUnit.SECONDS);
            }
            assertThat(written.get()).as("transactions written during the check").isPositive();
            assertThat(clean.errors).isEmpty();
            assertThat(clean.mismatches()).as("mismatches under concurrent writes: %s", clean.rows).isZero();
            assertThat(clean.historyMismatches()).as("history mismatches: %s", clean.rows).isZero();
            assertThat(clean.status()).isEqualTo(VerifyReport.Status.CONSISTENT);
            assertThat(clean.tablesChecked).isEqualTo(2);
            assertThat(clean.recordsScanned).isGreaterThanOrEqualTo(5000);
            p.awaitTargetEqualsSource("public.items", "public.lines");

            // 2. Drift, and one row that only lags.
            try (Connection t = p.target()) {
                SqlRunner.execute(t,
                        "DELETE FROM items WHERE id = 10",
                        "INSERT INTO items VALUES (100000, 'ghost', 1, 1.00, now())",
                        "UPDATE items SET qty = -1 WHERE id = 500",
                        "DELETE FROM lines WHERE order_id = 3 AND line_no = 2",
                        "INSERT INTO lines VALUES (9999, 1, 5)",
                        "DELETE FROM walflow.change_history WHERE table_name = 'public.items' AND row_key = '[\"5\"]'",
                        "UPDATE walflow.change_history SET data = data || '{\"qty\": \"999\"}'"
                                + " WHERE table_name = 'public.items' AND row_key = '[\"6\"]'");
            }
            FailingSink.HOLD_COMMITS.set(true);
            p.sourceSql("UPDATE items SET name = 'lagging' WHERE id = 20");
            Pipeline.await("the commit of the lagging row to be held", () -> FailingSink.DELAYED_COMMITS.get() > 0);
            CompletableFuture<VerifyReport> running = CompletableFuture.supplyAsync(() -> verifyUnchecked(p, "--verify.parallelism", "1"));
            try (Connection s = p.source()) {
                Pipeline.await("the verifier to wait for the lagging target", () -> SqlRunner.queryLong(s,
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'walflow-verify'"
                                + " AND query LIKE '%confirmed_flush_lsn%'") > 0);
            } finally {
                FailingSink.HOLD_COMMITS.set(false);
            }
            VerifyReport drift = running.get(120, TimeUnit.SECONDS);
            assertThat(drift.errors).isEmpty();
            assertThat(drift.status()).isEqualTo(VerifyReport.Status.INCONSISTENT);
            assertThat(drift.status().exitCode()).isEqualTo(1);
            assertThat(drift.missing).isEqualTo(2);
            assertThat(drift.extra).isEqualTo(2);
            assertThat(drift.different).isEqualTo(1);
            assertThat(drift.missingHistory).isEqualTo(1);
            assertThat(drift.staleHistory).isEqualTo(1);
            assertThat(drift.lagResolved).as("rows that matched once the target caught up").isGreaterThanOrEqualTo(1);
            assertThat(drift.lagging + drift.unsettled).isZero();
            assertThat(drift.rows)
                    .extracting(r -> r.table, r -> r.kind, r -> r.key)
                    .containsExactlyInAnyOrder(
                            tuple("public.items", "missing", List.of("10")),
                            tuple("public.items", "extra", List.of("100000")),
                            tuple("public.items", "different", List.of("500")),
                            tuple("public.lines", "missing", List.of("3", "2")),
                            tuple("public.lines", "extra", List.of("9999", "1")),
                            tuple("public.items", "missing_history", List.of("5")),
                            tuple("public.items", "stale_history", List.of("6")));
            try (Connection t = p.target()) {
                assertThat(SqlRunner.rows(t, "SELECT status, missing_rows, extra_rows, different_rows, missing_changes,"
                        + " tables_checked, records_scanned > 0 FROM walflow.health_check_state WHERE id = " + drift.checkId))
                        .containsExactly(List.of("inconsistent", "2", "2", "1", "2", "2", "t"));
            }

            // 3. Repair, while the pipeline keeps running.
            VerifyReport repair = verify(p, "--verify.parallelism", "2", "--repair");
            assertThat(repair.errors).isEmpty();
            assertThat(repair.status()).as("repair report %s", repair.rows).isEqualTo(VerifyReport.Status.REPAIRED);
            assertThat(repair.mismatches()).isEqualTo(5);
            assertThat(repair.repaired).isEqualTo(5);
            assertThat(repair.syntheticChanges).isEqualTo(2);
            p.awaitTargetEqualsSource("public.items", "public.lines");
            try (Connection t = p.target()) {
                assertThat(SqlRunner.rows(t, "SELECT operation, metadata->>'reason' FROM walflow.change_history"
                        + " WHERE (metadata->>'synthetic')::boolean ORDER BY row_key"))
                        .containsExactly(List.of("INSERT", "no_history"), List.of("UPDATE", "stale_history"));
            }

            // 4. Clean afterwards, and the pipeline still applies changes to repaired rows.
            p.sourceSql("UPDATE items SET qty = 7 WHERE id IN (10, 500)", "DELETE FROM lines WHERE order_id = 3");
            p.awaitTargetEqualsSource("public.items", "public.lines");
            VerifyReport after = verify(p, "--verify.parallelism", "2");
            assertThat(after.errors).isEmpty();
            assertThat(after.mismatches() + after.historyMismatches()).as("after repair: %s", after.rows).isZero();
            assertThat(after.status()).isEqualTo(VerifyReport.Status.CONSISTENT);
            try (Connection c = p.source()) {
                assertThat(after.recordsScanned).as("every source row in exactly one range")
                        .isEqualTo(SqlRunner.queryLong(c, "SELECT (SELECT count(*) FROM items) + (SELECT count(*) FROM lines)"));
            }
        }
    }

    private static VerifyReport verify(Pipeline p, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(p.args()));
        args.addAll(List.of("--verify.range-rows", "1000", "--verify.lag-timeout", "60s"));
        args.addAll(List.of(extra));
        return VerifyJob.run(StreamExecutionEnvironment::getExecutionEnvironment, args.toArray(new String[0]));
    }

    private static VerifyReport verifyUnchecked(Pipeline p, String... extra) {
        try {
            return verify(p, extra);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Inserts, updates and deletes rows above id 1000 until told to stop. */
    private static void write(Pipeline p, AtomicBoolean writing, AtomicLong written) {
        Random random = new Random(7);
        int nextId = 3001;
        try (Connection c = p.source()) {
            while (writing.get()) {
                int id = 1001 + random.nextInt(2000);
                SqlRunner.execute(c,
                        "BEGIN",
                        "UPDATE items SET qty = qty + 1, name = md5(random()::text) WHERE id = " + id,
                        "INSERT INTO items VALUES (" + nextId++ + ", 'new', 1, 2.50, now())",
                        "DELETE FROM items WHERE id = " + (nextId - 2) + " AND " + (nextId % 3) + " = 0",
                        "UPDATE lines SET qty = qty + 1 WHERE order_id = " + (300 + random.nextInt(200)),
                        "COMMIT");
                written.incrementAndGet();
                Thread.sleep(10);
            }
        } catch (Exception e) {
            throw new IllegalStateException("The concurrent writer failed", e);
        }
    }
}
