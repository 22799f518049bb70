package dev.walflow.job.it;

import dev.walflow.job.Preflight;
import dev.walflow.job.SourceFactory;
import dev.walflow.job.config.JobConfig;
import dev.walflow.model.ChangeEvent;
import dev.walflow.schema.TableInfo;
import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The source alone, stopped with a savepoint while it stands at a COMMIT, and resumed. A
 * COMMIT's LSN is the end of its WAL record, which is where the next transaction's BEGIN and
 * first change start; Debezium 1.9's own resume took that change for the one already emitted
 * and skipped it (DBZ-6204). walflow's source is the one under test, with its offsets
 * ({@code ResumeOffsets}); no heartbeat messages of its own are written, so the savepoint's
 * position is the COMMIT, as between two heartbeat messages of a running job.
 */
@ExtendWith(TestPostgres.class)
class SourceResumeITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    /** What the job emitted, as {@code OPERATION:id}; the MiniCluster runs in this JVM. */
    private static final Queue<String> EMITTED = new ConcurrentLinkedQueue<>();

    private static final int LOCK = 4242;

    @Test
    void theChangeStartingWhereACommitEndsSurvivesAResume(@TempDir Path savepoints) throws Exception {
        PostgresServer pg = TestPostgres.server();
        String db = TestPostgres.newDatabase("resume_src");
        try (Connection c = pg.connect(db)) {
            SqlRunner.execute(c,
                    "CREATE TABLE t (id int PRIMARY KEY)",
                    "INSERT INTO t VALUES (0)",
                    // T1 commits and T2's first insert follows it in the same backend, so nothing
                    // is written to the WAL in between. T2 then waits for a lock the test holds:
                    // a lock writes no WAL, where a signal row's transaction would commit first
                    // and be where the stream resumes.
                    "CREATE PROCEDURE t1_then_t2() LANGUAGE plpgsql AS $$ BEGIN"
                            + " INSERT INTO t VALUES (1); COMMIT;"
                            + " INSERT INTO t VALUES (2);"
                            + " PERFORM pg_advisory_xact_lock(" + LOCK + ");"
                            + " INSERT INTO t VALUES (3); END $$",
                    // Reads the same WAL, to check that the case really arose.
                    "SELECT pg_create_logical_replication_slot('resume_check', 'test_decoding')");
        }
        String[] args = {
            "--source.url", pg.jdbcUrl(db),
            "--source.username", PostgresServer.USER,
            "--source.password", PostgresServer.PASSWORD,
            "--source.tables", "public.t",
            "--source.slot-name", "resume_slot",
            "--source.publication", "resume_pub",
            "--source.heartbeat.interval", "100ms",
            "--sink.postgres.url", pg.jdbcUrl(db),
            "--sink.postgres.username", PostgresServer.USER,
            "--sink.postgres.password", PostgresServer.PASSWORD,
        };
        JobConfig config = JobConfig.parse(args, Map.of());
        List<TableInfo> tables = Preflight.prepareSource(config);
        Thread writer = null;
        JobClient resumed = null;
        Connection lock = pg.connect(db);
        try {
            SqlRunner.execute(lock, "SELECT pg_advisory_lock(" + LOCK + ")");
            JobClient first = start(config, tables, null);
            await("the snapshot row", "SNAPSHOT:0");
            writer = new Thread(() -> {
                try (Connection c = pg.connect(db)) {
                    SqlRunner.execute(c, "CALL t1_then_t2()");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            await("T1's insert", "INSERT:1");
            // Debezium's heartbeats (every 100 ms) move the position to T1's COMMIT.
            Thread.sleep(1_000);
            String savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL).get();
            lock.close();
            writer.join();
            assertT2StartsWhereT1CommitEnds(pg, db);

            EMITTED.clear();
            resumed = start(config, tables, savepoint);
            await("T2's last insert", "INSERT:3");
            assertThat(new ArrayList<>(EMITTED)).as("changes emitted after the resume").containsExactly("INSERT:2", "INSERT:3");
        } finally {
            if (resumed != null) {
                resumed.cancel().get();
            }
            lock.close();
            if (writer != null) {
                writer.join();
            }
            try (Connection c = pg.connect(db)) {
                Pipeline.await("the slot to be released", () -> SqlRunner.queryLong(c,
                        "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = 'resume_slot'") == 0);
                SqlRunner.execute(c, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                        + " WHERE slot_name IN ('resume_slot', 'resume_check')");
            }
        }
    }

    private static JobClient start(JobConfig config, List<TableInfo> tables, String savepoint) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (savepoint != null) {
            conf.set(SavepointConfigOptions.SAVEPOINT_PATH, savepoint);
        }
        env.configure(conf);
        env.setParallelism(1);
        env.enableCheckpointing(200);
        env.fromSource(SourceFactory.create(config, tables), WatermarkStrategy.noWatermarks(), "source")
                .map(e -> e.op + ":" + e.key[0])
                .addSink(new Collect());
        return env.executeAsync("source-resume");
    }

    private static final class Collect implements SinkFunction<String> {
        @Override
        public void invoke(String value, Context context) {
            EMITTED.add(value);
        }
    }

    private static void await(String what, String emitted) throws InterruptedException {
        Pipeline.await(what + " (emitted " + EMITTED + ")", () -> EMITTED.contains(emitted));
    }

    /** The case under test: T1's COMMIT and T2's BEGIN and first insert at one LSN. */
    private static void assertT2StartsWhereT1CommitEnds(PostgresServer pg, String db) throws Exception {
        try (Connection c = pg.connect(db)) {
            String changes = "SELECT lsn::text AS lsn, xid, data FROM pg_logical_slot_peek_changes('resume_check', NULL, NULL)";
            String xidOf = "(SELECT xid FROM changes WHERE data LIKE 'table public.t: INSERT: id[integer]:%s')";
            List<List<String>> lsns = SqlRunner.rows(c, "WITH changes AS (" + changes + ") SELECT"
                    + " (SELECT lsn FROM changes WHERE data LIKE 'COMMIT%' AND xid = " + xidOf.formatted(1) + "),"
                    + " (SELECT lsn FROM changes WHERE data LIKE 'BEGIN%' AND xid = " + xidOf.formatted(2) + "),"
                    + " (SELECT lsn FROM changes WHERE data LIKE 'table public.t: INSERT: id[integer]:2')");
            assertThat(lsns.get(0))
                    .as("LSNs of T1's COMMIT, T2's BEGIN and T2's first insert: the case under test needs them equal")
                    .containsOnly(lsns.get(0).get(0))
                    .doesNotContainNull();
        }
    }
}
