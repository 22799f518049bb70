package dev.walflow.job.it;

import dev.walflow.source.SlotGuard;
import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A slot that cannot continue where the job's state says it is stops the job with the fix,
 * instead of a silent resume from the wrong place; the snapshot leaves no slot of its own behind.
 */
@ExtendWith(TestPostgres.class)
class SlotRecoveryITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    @Test
    void slotDroppedWhileStoppedFailsTheResumeWithTheFix(@TempDir Path savepoints) throws Exception {
        Pipeline first = new Pipeline(TestPostgres.newDatabase("drop_src"), TestPostgres.newDatabase("drop_dst"), "dropped_slot")
                .param("source.tables", "public.items");
        first.sourceSql(
                "CREATE TABLE items (id int PRIMARY KEY, v text)",
                "INSERT INTO items SELECT g, 'v' FROM generate_series(1, 200) g");
        first.start();
        first.awaitTargetEqualsSource("public.items");
        try (Connection c = first.source()) {
            assertThat(SqlRunner.queryLong(c,
                    "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'dropped\\_slot\\_%'"))
                    .as("slots the snapshot left behind")
                    .isZero();
        }
        first.sourceSql("INSERT INTO items SELECT g, 'w' FROM generate_series(201, 300) g");
        first.awaitTargetEqualsSource("public.items");
        String savepoint = first.client
                .stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get();

        // While the job is stopped the slot is dropped and changes are made; the resumed job's
        // start creates a new slot, which begins after them.
        try (Connection c = first.source()) {
            Pipeline.await("the slot to be released", () -> {
                try {
                    return SqlRunner.queryLong(c, "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = 'dropped_slot'") == 0;
                } catch (RuntimeException e) {
                    return false;
                }
            });
            SqlRunner.execute(c, "SELECT pg_drop_replication_slot('dropped_slot')");
        }
        first.sourceSql("INSERT INTO items SELECT g, 'lost' FROM generate_series(301, 400) g");

        try (Pipeline resumed = new Pipeline(first.sourceDb, first.targetDb, first.slot)
                .param("source.tables", "public.items")
                .restartAttempts(3)
                .fromSavepoint(savepoint)) {
            resumed.start();
            Pipeline.await("the resumed job to fail", resumed::isTerminal);
            assertThat(resumed.jobStatus()).isEqualTo("FAILED");
            assertThat(resumed.failureCause())
                    .contains("Replication slot 'dropped_slot'")
                    .contains("dropped and created again")
                    .contains("Re-snapshot");
            try (Connection t = resumed.target()) {
                assertThat(SqlRunner.queryLong(t, "SELECT count(*) FROM items WHERE id > 300"))
                        .as("rows written after the slot was dropped, that a silent resume would have skipped")
                        .isZero();
            }
        }
    }

    @Test
    void invalidatedSlotIsRefusedBeforeStreaming() throws Exception {
        String db = TestPostgres.newDatabase("lost_src");
        PostgresServer pg = TestPostgres.server();
        try (Connection admin = pg.connect("postgres"); Connection c = pg.connect(db)) {
            SqlRunner.execute(c, "CREATE TABLE filler (x text)", "SELECT pg_create_logical_replication_slot('lost_slot', 'pgoutput')");
            try {
                // The server may keep at most 1 MB of WAL for slots: a few segment switches and
                // checkpoints later the inactive slot's WAL is removed and the slot is lost.
                SqlRunner.execute(admin, "ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", "SELECT pg_reload_conf()");
                Pipeline.await("the slot to be invalidated", () -> {
                    SqlRunner.execute(c, "INSERT INTO filler SELECT repeat('x', 100) FROM generate_series(1, 1000)",
                            "SELECT pg_switch_wal()", "CHECKPOINT");
                    return "lost".equals(SqlRunner.queryString(c,
                            "SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'lost_slot'"));
                });
                Properties props = new Properties();
                props.setProperty("user", PostgresServer.USER);
                props.setProperty("password", PostgresServer.PASSWORD);
                SlotGuard guard = new SlotGuard(pg.jdbcUrl(db), props, "lost_slot");
                assertThatThrownBy(() -> guard.check(-1))
                        .isInstanceOf(SuppressRestartsException.class)
                        .hasStackTraceContaining("invalidated (wal_status=lost)")
                        .hasStackTraceContaining("Re-snapshot");
            } finally {
                SqlRunner.execute(admin, "ALTER SYSTEM RESET max_slot_wal_keep_size", "SELECT pg_reload_conf()");
                SqlRunner.execute(c, "SELECT pg_drop_replication_slot('lost_slot')");
            }
        }
    }
}
