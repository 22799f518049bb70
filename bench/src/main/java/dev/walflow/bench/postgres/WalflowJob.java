package dev.walflow.bench.postgres;

import dev.walflow.job.ReplicationJob;
import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Files;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** walflow replicating some tables of a source database into a target, on a local MiniCluster. */
final class WalflowJob implements AutoCloseable {

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
        ReplicationJob.build(env, args.toArray(new String[0]));
        return new WalflowJob(source, name, env.executeAsync(name));
    }

    /** Waits until the job reads its slot (the snapshot is done and the stream has started). */
    void awaitStreaming(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = source.connect()) {
            while (SqlRunner.queryLong(c, "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '"
                    + slot + "'") == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Job " + slot + " did not start streaming from its slot within " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Cancels the job and drops its slot. */
    @Override
    public void close() throws Exception {
        client.cancel().get();
        try (Connection c = source.connect()) {
            for (int i = 0; i < 300; i++) {
                if (SqlRunner.queryLong(c, "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '"
                        + slot + "'") == 0) {
                    break;
                }
                Thread.sleep(100);
            }
            SqlRunner.execute(c, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE '"
                    + slot + "%'");
        }
    }
}
