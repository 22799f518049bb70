package dev.walflow.job.it;

import dev.walflow.testkit.SqlRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.apache.flink.test.junit5.MiniClusterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The safe LSN under exactly-once: the slot's {@code confirmed_flush_lsn} never passes what
 * the target shows. Every source transaction is recorded with a WAL position at or after its
 * commit; whenever the slot has been confirmed past that position, the row must already be
 * visible in the target. The sink commits slowly (as a loaded target would), which is when a
 * slot confirmed on the checkpoint's completion alone runs ahead of the target.
 */
@ExtendWith(TestPostgres.class)
class SafeLsnITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    private static final int ROWS = 300;

    @Test
    void slotNeverPassesWhatTheTargetHolds() throws Exception {
        String source = TestPostgres.newDatabase("safelsn_src");
        String target = TestPostgres.newDatabase("safelsn_dst");
        FailingSink.reset();
        FailingSink.COMMIT_DELAY_MILLIS.set(1500);
        try (Pipeline p = new Pipeline(source, target, "safe_lsn")) {
            p.sourceSql("CREATE TABLE items (id bigint PRIMARY KEY)", "INSERT INTO items VALUES (0)");
            p.param("source.tables", "public.items")
                    .param("checkpoint.interval", "300ms")
                    .start(sink -> FailingSink.slowCommits(sink));
            p.awaitTargetEqualsSource("public.items");

            // id -> a WAL position read after the row's transaction committed.
            Map<Long, Long> committedBy = new ConcurrentHashMap<>();
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try (Connection c = p.source(); Statement s = c.createStatement()) {
                    for (long id = 1; id <= ROWS; id++) {
                        s.execute("INSERT INTO items VALUES (" + id + ")");
                        committedBy.put(id, lsn(SqlRunner.queryString(c, "SELECT pg_current_wal_lsn()::text")));
                        Thread.sleep(15);
                    }
                } catch (Throwable t) {
                    writerFailure.set(t);
                }
            }, "safe-lsn-writer");
            writer.start();

            List<String> violations = new ArrayList<>();
            Set<Long> slotPositions = new TreeSet<>();
            long lastWrite = Long.MAX_VALUE;
            long deadline = System.nanoTime() + Pipeline.WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                long confirmed = confirmedLsn(p);
                slotPositions.add(confirmed);
                Set<Long> mustBeVisible = new HashSet<>();
                committedBy.forEach((id, lsn) -> {
                    if (lsn <= confirmed) {
                        mustBeVisible.add(id);
                    }
                });
                Set<Long> visible = targetIds(p);
                for (long id : mustBeVisible) {
                    if (!visible.contains(id) && violations.size() < 10) {
                        violations.add("row " + id + " (committed by " + text(committedBy.get(id))
                                + ") not in the target while the slot is confirmed at " + text(confirmed));
                    }
                }
                if (!writer.isAlive() && committedBy.size() == ROWS) {
                    lastWrite = committedBy.get((long) ROWS);
                    if (confirmed >= lastWrite || p.isTerminal()) {
                        break;
                    }
                }
                if (writerFailure.get() != null) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(writerFailure.get()).as("the writer's failure").isNull();
            assertThat(violations).as("rows the slot was confirmed past before the target showed them").isEmpty();
            assertThat(slotPositions.size())
                    .as("distinct confirmed positions seen while writing (the slot must move)")
                    .isGreaterThanOrEqualTo(3);
            assertThat(confirmedLsn(p)).as("the slot after the last write").isGreaterThanOrEqualTo(lastWrite);
            p.awaitTargetEqualsSource("public.items");
        }
    }

    private static Set<Long> targetIds(Pipeline p) throws SQLException {
        Set<Long> ids = new HashSet<>();
        try (Connection c = p.target(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM items")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    private static long confirmedLsn(Pipeline p) throws SQLException {
        try (Connection c = p.source()) {
            return lsn(SqlRunner.queryString(
                    c, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + p.slot + "'"));
        }
    }

    private static long lsn(String text) {
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    private static String text(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }
}
