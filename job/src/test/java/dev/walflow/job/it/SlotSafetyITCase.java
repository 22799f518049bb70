package dev.walflow.job.it;

import dev.walflow.testkit.SqlRunner;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The slot is confirmed only when a checkpoint completes. Guards the pin of the PostgreSQL
 * driver to 42.6.2: from 42.7.0 the driver answers the server's keepalives with the received
 * position itself, which moved {@code confirmed_flush_lsn} ahead of Flink's checkpoint.
 */
@ExtendWith(TestPostgres.class)
class SlotSafetyITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    @BeforeEach
    void frequentKeepalives() throws SQLException {
        // The server asks the client for its position every wal_sender_timeout / 2.
        try (Connection c = TestPostgres.server().connect("postgres")) {
            SqlRunner.execute(c, "ALTER SYSTEM SET wal_sender_timeout = '2s'", "SELECT pg_reload_conf()");
        }
    }

    @AfterEach
    void restoreKeepalives() throws SQLException {
        try (Connection c = TestPostgres.server().connect("postgres")) {
            SqlRunner.execute(c, "ALTER SYSTEM RESET wal_sender_timeout", "SELECT pg_reload_conf()");
        }
    }

    @Test
    void slotMovesOnlyWhenACheckpointCompletes(@InjectClusterClient ClusterClient<?> cluster) throws Exception {
        String source = TestPostgres.newDatabase("slot_src");
        String target = TestPostgres.newDatabase("slot_dst");
        try (Pipeline p = new Pipeline(source, target, "safety_slot")) {
            p.sourceSql(
                    "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, 'v' FROM generate_series(1, 100) g");
            // Checkpoints only when the test asks. Heartbeats every second put the latest
            // received position into each checkpoint, the case in which pgjdbc 42.7+ starts
            // confirming on keepalives.
            // At-least-once, so the target shows changes without waiting for a checkpoint.
            p.param("source.tables", "public.items")
                    .param("checkpoint.interval", "1h")
                    .param("sink.delivery-guarantee", "at-least-once")
                    .start();
            p.awaitTargetEqualsSource("public.items");
            String created = confirmedLsn(p);
            for (int i = 0; i < 20; i++) {
                p.sourceSql("INSERT INTO items SELECT g, 'w' FROM generate_series(" + (1000 + i * 20) + ", " + (1019 + i * 20) + ") g");
            }
            p.awaitTargetEqualsSource("public.items");
            assertThat(confirmedLsn(p)).as("confirmed_flush_lsn before any checkpoint").isEqualTo(created);

            cluster.triggerCheckpoint(p.client.getJobID(), CheckpointType.FULL).get();
            Pipeline.await("the slot to be confirmed after the checkpoint", () -> lsnGreater(p, created));
            Thread.sleep(1000);
            String confirmed = confirmedLsn(p);

            // The stream is caught up and everything it received is confirmed. WAL that decodes
            // to nothing (checkpoints, segment switches) now makes the server send keepalives
            // with a newer position; a driver that confirms on keepalives (pgjdbc 42.7+) moves
            // the slot here although no checkpoint completed.
            long until = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < until) {
                try (Connection c = p.source()) {
                    SqlRunner.execute(c, "CHECKPOINT", "SELECT pg_switch_wal()");
                }
                Thread.sleep(500);
                assertThat(confirmedLsn(p))
                        .as("confirmed_flush_lsn while no checkpoint completed")
                        .isEqualTo(confirmed);
            }
            // And with captured changes flowing, still only a checkpoint confirms them.
            p.sourceSql("INSERT INTO items SELECT g, 'x' FROM generate_series(5000, 5100) g");
            p.awaitTargetEqualsSource("public.items");
            Thread.sleep(3000);
            assertThat(confirmedLsn(p)).as("confirmed_flush_lsn after changes, before a checkpoint").isEqualTo(confirmed);
            cluster.triggerCheckpoint(p.client.getJobID(), CheckpointType.FULL).get();
            Pipeline.await("the slot to be confirmed after the second checkpoint", () -> lsnGreater(p, confirmed));
        }
    }

    @Test
    void idleSourceStillAdvancesTheSlot() throws Exception {
        String source = TestPostgres.newDatabase("idle_src");
        String target = TestPostgres.newDatabase("idle_dst");
        try (Pipeline p = new Pipeline(source, target, "idle_slot")) {
            p.sourceSql(
                    "CREATE TABLE captured (id int PRIMARY KEY)",
                    "CREATE TABLE elsewhere (x int)",
                    "INSERT INTO captured VALUES (1)");
            p.param("source.tables", "public.captured").start();
            p.awaitTargetEqualsSource("public.captured");
            // WAL that no captured table is part of: only heartbeats can carry the slot past it.
            p.sourceSql("INSERT INTO elsewhere SELECT generate_series(1, 20000)");
            // ... and WAL of other databases on the server (the slot's database sees none of it).
            String other = TestPostgres.newDatabase("idle_other");
            try (Connection c = p.pg.connect(other)) {
                SqlRunner.execute(c, "CREATE TABLE busy AS SELECT generate_series(1, 20000) AS x");
            }
            String walEnd;
            try (Connection c = p.source()) {
                walEnd = SqlRunner.queryString(c, "SELECT pg_current_wal_lsn()::text");
            }
            Pipeline.await("the idle slot to pass " + walEnd, () -> lsnGreater(p, walEnd));
        }
    }

    private static boolean lsnGreater(Pipeline p, String before) {
        try (Connection c = p.source()) {
            return SqlRunner.queryString(c, "SELECT (confirmed_flush_lsn > '" + before + "'::pg_lsn)::text"
                    + " FROM pg_replication_slots WHERE slot_name = '" + p.slot + "'").equals("true");
        } catch (SQLException e) {
            return false;
        }
    }

    private static String confirmedLsn(Pipeline p) throws SQLException {
        try (Connection c = p.source()) {
            return SqlRunner.queryString(
                    c, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + p.slot + "'");
        }
    }
}
