package dev.walflow.job.it;

import dev.walflow.testkit.SqlRunner;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failure matrix under exactly-once: each case ends with the target equal to the source,
 * no row version applied twice and every change in change_history exactly once, counted.
 * Writes start once the snapshot is in: a row changed while its snapshot chunk is read is
 * written again when its changes stream (the snapshot runs without backfill), which the
 * version count would flag although no change is duplicated.
 */
@ExtendWith(TestPostgres.class)
class ExactlyOnceITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    @BeforeEach
    void resetInjection() {
        FailingSink.reset();
    }

    /** The same job, started again from a savepoint or retained checkpoint of {@code first}. */
    private static Pipeline resumed(Pipeline first, String savepoint) {
        return new Pipeline(first.sourceDb, first.targetDb, first.slot)
                .param("source.tables", ChangeLedger.TABLE)
                .param("job.name", first.param("job.name"))
                .fromSavepoint(savepoint);
    }

    private static Pipeline pipeline(String name) {
        return new Pipeline(TestPostgres.newDatabase(name + "_src"), TestPostgres.newDatabase(name + "_dst"), name + "_slot")
                .param("source.tables", ChangeLedger.TABLE)
                .param("job.name", name);
    }

    @Test
    void taskFailureMidStream() throws Exception {
        try (Pipeline p = pipeline("eo_task").restartAttempts(3)) {
            ChangeLedger ledger = new ChangeLedger(p);
            ledger.create(500);
            p.start(sink -> FailingSink.inWriter(sink, 1_000));
            p.awaitTargetEqualsSource(ChangeLedger.TABLE);
            ledger.write(300);
            ledger.assertExactlyOnce();
            assertThat(FailingSink.FAILED).as("the injected failure happened").isTrue();
        }
    }

    /**
     * Two source readers share the snapshot's chunks (ten of them) and one of them then reads the
     * stream, into two sink subtasks; a task failure while the chunks are read replays none of
     * them twice, and no streamed change overtakes a snapshot row.
     */
    @Test
    void parallelSnapshotReadersWithATaskFailure(@InjectMiniCluster MiniCluster cluster) throws Exception {
        try (Pipeline p = pipeline("eo_readers").restartAttempts(3)
                .param("source.snapshot.parallelism", "2")
                .param("source.snapshot.chunk-size", "100")
                .param("sink.postgres.parallelism", "2")) {
            ChangeLedger ledger = new ChangeLedger(p);
            ledger.create(1_000);
            p.start(sink -> FailingSink.inWriter(sink, 300));
            p.awaitTargetEqualsSource(ChangeLedger.TABLE);
            assertThat(cluster.getExecutionGraph(p.client.getJobID()).get().getAllVertices().values())
                    .filteredOn(v -> v.getName().startsWith("Source: "))
                    .singleElement()
                    .satisfies(v -> assertThat(v.getParallelism()).as("source readers").isEqualTo(2));
            ledger.write(300);
            ledger.assertExactlyOnce();
            assertThat(FailingSink.FAILED).as("the injected failure happened").isTrue();
            try (Connection t = p.target()) {
                assertThat(SqlRunner.queryLong(t, "SELECT count(DISTINCT row_key) FROM walflow.change_history"
                        + " WHERE table_name = 'public.ledger' AND operation = 'SNAPSHOT'"))
                        .as("snapshot rows in change_history")
                        .isEqualTo(1_000);
            }
        }
    }

    /**
     * Rows change while two readers snapshot 50,000 rows in 200-row chunks. Per row, the changes
     * streamed after its chunk's start land after its snapshot row, so the target ends equal to
     * the source; the changes streamed once the snapshot is done reach change_history exactly
     * once. (Changes made while a row's chunk was read are folded into its snapshot row or
     * written again, as the README says of the snapshot without backfill; this test does not
     * count those.)
     */
    @Test
    void writesDuringAParallelSnapshotConverge() throws Exception {
        try (Pipeline p = pipeline("eo_snapwrites")
                .param("source.snapshot.parallelism", "2")
                .param("source.snapshot.chunk-size", "200")
                .param("sink.postgres.parallelism", "2")) {
            ChangeLedger ledger = new ChangeLedger(p);
            ledger.create(50_000);
            p.start();
            // Write once the snapshot has begun, so that the writes overlap its chunks.
            Pipeline.await("the snapshot to begin", () -> targetRows(p) > 0);
            ledger.write(200, 10);
            p.awaitTargetEqualsSource(ChangeLedger.TABLE);
            try (Connection t = p.target()) {
                assertThat(SqlRunner.queryLong(t, "SELECT count(*) FROM (SELECT row_key FROM walflow.change_history"
                        + " WHERE table_name = 'public.ledger' AND operation = 'SNAPSHOT' GROUP BY 1 HAVING count(*) > 1) d"))
                        .as("rows snapshotted twice")
                        .isZero();
            }
            try (Connection t = p.target(); Connection s = p.source()) {
                String produced = "SELECT id::text, version::text FROM produced WHERE op <> 'DELETE'";
                java.util.Set<List<String>> before = new java.util.HashSet<>(SqlRunner.rows(s, produced));
                ledger.write(100);
                p.awaitTargetEqualsSource(ChangeLedger.TABLE);
                List<List<String>> written = new ArrayList<>(SqlRunner.rows(s, produced));
                written.removeAll(before);
                String history = "SELECT data->>'id', data->>'version' FROM walflow.change_history WHERE operation IN ('INSERT', 'UPDATE')";
                Pipeline.await("the changes made after the snapshot in change_history",
                        () -> SqlRunner.rows(t, history).containsAll(written));
                List<List<String>> recorded = SqlRunner.rows(t, history);
                recorded.retainAll(written);
                assertThat(recorded).as("changes made after the snapshot, in change_history").hasSameSizeAs(written);
            }
        }
    }

    /**
     * A burst of changes, held back by a lock on the target and released at once, fills batches
     * right after each barrier while the previous checkpoint's transaction is prepared and holds
     * locks on the rows it wrote. A batch touching those rows must wait for the commit, which
     * runs on the writer's own task thread, instead of blocking there on the locks (it hung).
     */
    @Test
    void burstRewritesRowsOfThePreparedTransaction() throws Exception {
        try (Pipeline p = pipeline("eo_burst").param("sink.postgres.batch.max-rows", "20")) {
            ChangeLedger ledger = new ChangeLedger(p);
            ledger.create(20);
            p.start();
            p.awaitTargetEqualsSource(ChangeLedger.TABLE);
            try (Connection hold = p.target()) {
                hold.setAutoCommit(false);
                SqlRunner.execute(hold, "LOCK TABLE ledger IN ACCESS EXCLUSIVE MODE");
                // Every batch rewrites the same ten rows, so every batch after a barrier meets
                // the rows of the transaction prepared at it.
                try (Connection c = p.source()) {
                    c.setAutoCommit(false);
                    for (int i = 0; i < 3_000; i++) {
                        SqlRunner.execute(c, "UPDATE ledger SET version = version + 1 WHERE id <= 10");
                        c.commit();
                    }
                }
                hold.commit();
            }
            ledger.assertExactlyOnce();
        }
    }

    @Test
    void failureBetweenPrepareAndCommitPrepared() throws Exception {
        try (Pipeline p = pipeline("eo_commit").restartAttempts(3)) {
            ChangeLedger ledger = new ChangeLedger(p);
            ledger.create(500);
            p.start(sink -> FailingSink.beforeCommit(sink, 1_000));
            p.awaitTargetEqualsSource(ChangeLedger.TABLE);
            ledger.write(300);
            ledger.assertExactlyOnce();
            assertThat(FailingSink.COMMIT_FAILED).as("the injected commit failure happened").isTrue();
        }
    }

    @Test
    void walsenderConnectionTerminated() throws Exception {
        try (Pipeline p = pipeline("eo_walsender").restartAttempts(3)) {
            ChangeLedger ledger = new ChangeLedger(p);
            ledger.create(500);
            p.start();
            p.awaitTargetEqualsSource(ChangeLedger.TABLE);
            ledger.write(100);
            try (Connection c = p.source()) {
                Pipeline.await("the walsender to be active", () ->
                        SqlRunner.queryLong(c, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + p.slot + "' AND active") == 1);
                SqlRunner.execute(c, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + p.slot + "'");
            }
            ledger.write(200);
            ledger.assertExactlyOnce();
        }
    }

    /**
     * A plain cancel while a completed checkpoint's transaction waits to be committed (the
     * PostgreSQL committer is stuck on a slow target): closing, the sink commits it, since the
     * checkpoint storage shows the checkpoint complete. change_history has meanwhile prepared
     * its part of the next checkpoint, which never completes but might have, as far as it can
     * tell; that one is left, and the next start settles it. The job resumes from its retained
     * checkpoint with every change applied once.
     */
    @Test
    void cancelSettlesPreparedTransactionsAndResumes(@TempDir Path checkpoints) throws Exception {
        Pipeline first = pipeline("eo_cancel").param("checkpoint.dir", checkpoints.toUri().toString());
        ChangeLedger ledger = new ChangeLedger(first);
        ledger.create(300);
        first.start(FailingSink::slowCommits);
        first.awaitTargetEqualsSource(ChangeLedger.TABLE);
        ledger.write(100);
        first.awaitTargetEqualsSource(ChangeLedger.TABLE);

        FailingSink.COMMIT_DELAY_MILLIS.set(600_000);
        ledger.write(50);
        Pipeline.await("a completed checkpoint's commit to be held up", () -> FailingSink.DELAYED_COMMITS.get() > 0);
        try (Connection t = first.target()) {
            assertThat(prepared(t, "walflow:postgres:eo_cancel:")).as("the sink's transaction held up").isNotEmpty();
        }
        first.client.cancel().get();
        Pipeline.await("the job to end", first::isTerminal);
        List<String> leftByHistory;
        try (Connection t = first.target()) {
            assertThat(prepared(t, "walflow:postgres:eo_cancel:"))
                    .as("the sink's prepared transactions after cancel (its checkpoint had completed)")
                    .isEmpty();
            leftByHistory = prepared(t, "walflow:history:eo_cancel:");
        }

        FailingSink.COMMIT_DELAY_MILLIS.set(0);
        Path jobDir = checkpoints.resolve(first.client.getJobID().toHexString());
        String retained;
        try (Stream<Path> dirs = Files.list(jobDir)) {
            retained = dirs.filter(d -> d.getFileName().toString().startsWith("chk-") && Files.exists(d.resolve("_metadata")))
                    .max(Comparator.comparingLong(d -> Long.parseLong(d.getFileName().toString().substring(4))))
                    .orElseThrow(() -> new AssertionError("no retained checkpoint in " + jobDir))
                    .toUri().toString();
        }
        try (Pipeline resumed = resumed(first, retained)) {
            resumed.start();
            ledger = ledger.on(resumed);
            ledger.write(50);
            ledger.assertExactlyOnce();
            try (Connection t = resumed.target()) {
                assertThat(prepared(t, "walflow:history:eo_cancel:"))
                        .as("change_history's transactions left by the cancel, after the restart")
                        .filteredOn(leftByHistory::contains)
                        .isEmpty();
            }
        }
    }

    private static List<String> prepared(Connection target, String prefix) {
        List<String> gids = new ArrayList<>();
        SqlRunner.rows(target, "SELECT gid FROM pg_prepared_xacts WHERE starts_with(gid, '" + prefix + "')")
                .forEach(row -> gids.add(row.get(0)));
        return gids;
    }

    @Test
    void stopWithSavepointAndResume(@TempDir Path savepoints) throws Exception {
        Pipeline first = pipeline("eo_savepoint");
        ChangeLedger ledger = new ChangeLedger(first);
        ledger.create(300);
        first.start();
        first.awaitTargetEqualsSource(ChangeLedger.TABLE);
        ledger.write(100);
        first.awaitTargetEqualsSource(ChangeLedger.TABLE);
        String savepoint = first.client
                .stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
        try (Connection t = first.target()) {
            assertThat(SqlRunner.queryLong(t, "SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE 'walflow:%'"))
                    .as("prepared transactions left by a stopped job")
                    .isZero();
        }
        ledger.write(100);
        try (Pipeline resumed = resumed(first, savepoint)) {
            resumed.start();
            ledger = ledger.on(resumed);
            ledger.write(100);
            ledger.assertExactlyOnce();
        }
    }

    /**
     * A savepoint taken while a COPY's transaction streams: the resumed job replays that
     * transaction from its start and applies each of its rows once. Debezium's own resume
     * would skip the rows sharing a WAL record with the last one emitted.
     */
    @Test
    void stopWithSavepointInsideACopy(@TempDir Path savepoints) throws Exception {
        int copied = 150_000;
        Pipeline first = pipeline("eo_copy");
        ChangeLedger ledger = new ChangeLedger(first);
        ledger.create(100);
        first.start();
        first.awaitTargetEqualsSource(ChangeLedger.TABLE);
        ledger.copy(copied);
        Pipeline.await("the first rows of the COPY in the target", () -> targetRows(first) > 100);
        String savepoint = first.client
                .stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
        long applied = targetRows(first) - 100;
        assertThat(applied)
                .as("rows of the COPY applied when the savepoint was taken: the savepoint must cut its transaction")
                .isBetween(1L, copied - 1L);
        try (Pipeline resumed = resumed(first, savepoint)) {
            resumed.start();
            ledger = ledger.on(resumed);
            ledger.write(20);
            ledger.assertExactlyOnce();
        }
    }

    private static long targetRows(Pipeline p) {
        try (Connection t = p.target()) {
            return SqlRunner.queryLong(t, "SELECT count(*) FROM ledger");
        } catch (java.sql.SQLException e) {
            return 0;
        }
    }
}
