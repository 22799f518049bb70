package dev.walflow.bench.postgres;

import dev.walflow.job.Preflight;
import dev.walflow.job.ReplicationJob;
import dev.walflow.job.SourceFactory;
import dev.walflow.job.config.JobConfig;
import dev.walflow.job.config.JobOptions;
import dev.walflow.job.config.SourceOptions;
import dev.walflow.schema.TableInfo;
import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.nio.file.Files;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * walflow replicating some tables of a source database into a target, on a local MiniCluster;
 * or one of its stages alone ({@link Stage}), to show where the time goes.
 */
final class WalflowJob implements AutoCloseable {

    /** What runs: the whole job, or a part of it whose changes {@link StageProbe} sees. */
    enum Stage {
        /** walflow, writing into the target. */
        WALFLOW("walflow"),
        /** walflow's graph up to and including the keyBy, with the PostgreSQL sink replaced by {@link ProbeSink}. */
        CAPTURE("capture only"),
        /** Flink CDC's source with {@link ProbeDeserializer}: the connector alone. */
        CONNECTOR("connector only");

        final String label;

        Stage(String label) {
            this.label = label;
        }
    }

    private final SourceDatabase source;
    private final String slot;
    private final JobClient client;

    private WalflowJob(SourceDatabase source, String slot, JobClient client) {
        this.source = source;
        this.slot = slot;
        this.client = client;
    }

    /**
     * Starts the job.
     *
     * @param name names the job, its slot and its publication
     * @param guarantee {@code exactly-once} or {@code at-least-once}
     * @param extra further job parameters
     */
    static WalflowJob start(SourceDatabase source, SourceDatabase target, String name, List<String> tables,
            String guarantee, String checkpointInterval, List<String> extra) throws Exception {
        return start(Stage.WALFLOW, source, target, name, tables, guarantee, checkpointInterval, extra);
    }

    /** As above, for any stage; a stage other than the whole job writes nothing to the target. */
    static WalflowJob start(Stage stage, SourceDatabase source, SourceDatabase target, String name,
            List<String> tables, String guarantee, String checkpointInterval, List<String> extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--source.url", source.jdbcUrl(), "--source.username", PostgresServer.USER,
                "--source.password", PostgresServer.PASSWORD, "--source.slot-name", name,
                "--source.publication", name, "--source.tables", String.join(",", tables),
                "--sink.postgres.url", target.jdbcUrl(), "--sink.postgres.username", PostgresServer.USER,
                "--sink.postgres.password", PostgresServer.PASSWORD, "--history.enabled", "false",
                "--sink.delivery-guarantee", guarantee, "--checkpoint.interval", checkpointInterval,
                "--job.name", name,
                "--checkpoint.dir", Files.createTempDirectory("walflow-bench-checkpoints").toUri().toString()));
        args.addAll(extra);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(new Configuration());
        env.setParallelism(1);
        StageProbe.reset();
        switch (stage) {
            case WALFLOW -> ReplicationJob.build(env, args.toArray(new String[0]));
            case CAPTURE -> ReplicationJob.build(env, sink -> new ProbeSink(), args.toArray(new String[0]));
            case CONNECTOR -> {
                JobConfig config = JobConfig.parse(args.toArray(new String[0]), Map.of());
                List<TableInfo> captured = Preflight.run(config);
                // The stream split is assigned only after a checkpoint completes past the snapshot.
                env.enableCheckpointing(config.get(JobOptions.CHECKPOINT_INTERVAL).toMillis());
                env.fromSource(SourceFactory.create(config, captured, new ProbeDeserializer()),
                                WatermarkStrategy.noWatermarks(), "Flink CDC source")
                        .setParallelism(config.get(SourceOptions.SNAPSHOT_PARALLELISM))
                        .sinkTo(new DiscardingSink<>());
            }
        }
        return new WalflowJob(source, name, env.executeAsync(name));
    }

    /** Waits until the job reads its slot (the snapshot is done and the stream has started). */
    void awaitStreaming(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = source.connect()) {
            while (!slotActive(c)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Job " + slot + " did not start streaming from its slot within " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Cancels the job and waits (30 s at most) until it lets go of its slot; the slot goes with
     * the database ({@link PostgresBenchmark#drop}).
     */
    @Override
    public void close() throws Exception {
        client.cancel().get();
        try (Connection c = source.connect()) {
            for (int i = 0; i < 300 && slotActive(c); i++) {
                Thread.sleep(100);
            }
        }
    }

    private boolean slotActive(Connection c) {
        return SqlRunner.queryLong(c, "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '" + slot + "'") > 0;
    }
}
