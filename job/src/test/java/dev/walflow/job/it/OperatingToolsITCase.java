package dev.walflow.job.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.walflow.job.config.JobConfig;
import dev.walflow.job.ops.SlotCommand;
import dev.walflow.job.ops.StatusCommand;
import dev.walflow.testkit.SqlRunner;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** deploy/status.sh and deploy/slot.sh against a running job, its databases and the Flink REST API. */
@ExtendWith(TestPostgres.class)
class OperatingToolsITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    @Test
    void statusAndSlotTools(@InjectClusterClient ClusterClient<?> cluster) throws Exception {
        String rest = cluster.getWebInterfaceURL();
        try (Pipeline p = new Pipeline(TestPostgres.newDatabase("ops_src"), TestPostgres.newDatabase("ops_dst"), "ops_slot")) {
            p.sourceSql(
                    "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, 'v' FROM generate_series(1, 50) g");
            p.param("source.tables", "public.items").param("job.name", "ops_job").start();
            p.awaitTargetEqualsSource("public.items");
            JobConfig config = JobConfig.parse(p.args(), Map.of());
            String jobId = p.client.getJobID().toHexString();

            ObjectNode[] status = new ObjectNode[1];
            Pipeline.diagnostics = () -> String.valueOf(status[0]);
            Pipeline.await("a healthy status with a completed checkpoint", () -> {
                status[0] = StatusCommand.status(config, rest, jobId);
                return status[0].path("healthy").asBoolean() && status[0].path("flink").path("lastCheckpoint").isObject();
            });
            JsonNode s = status[0];
            assertThat(s.path("job").asText()).isEqualTo("ops_job");
            assertThat(s.path("slot").path("exists").asBoolean()).isTrue();
            assertThat(s.path("slot").path("active").asBoolean()).isTrue();
            assertThat(s.path("slot").path("walStatus").asText()).isIn("reserved", "extended");
            assertThat(s.path("slot").path("lagBytes").asLong()).isNotNegative();
            assertThat(s.path("slot").path("retainedWalBytes").asLong()).isPositive();
            assertThat(s.path("slot").path("lag").path("write").has("bytes")).isTrue();
            assertThat(s.path("flink").path("state").asText()).isEqualTo("RUNNING");
            assertThat(s.path("flink").path("lastCheckpoint").path("id").asLong()).isPositive();
            assertThat(s.path("errors").isObject()).isTrue();
            JsonNode progress = s.path("targets").get(0).path("progress");
            assertThat(progress.size()).as("progress rows: %s", progress).isGreaterThanOrEqualTo(1);
            assertThat(progress.get(0).path("sink").asText()).isIn("postgres", "history");
            assertThat(progress.get(0).path("ageSeconds").asLong()).isNotNegative();

            ObjectNode list = SlotCommand.run(config, List.of("list"), false, false);
            assertThat(list.path("slots").toString()).contains("ops_slot");
            assertThat(list.path("publications").toString()).contains("public.items");
            ObjectNode refused = SlotCommand.run(config, List.of("drop"), true, false);
            assertThat(refused.path("error").asText()).contains("in use");

            // A transaction of this job left prepared (as by a cancel): listed, and rolled back
            // only with --yes.
            try (Connection t = p.target()) {
                SqlRunner.execute(t, "BEGIN", "INSERT INTO items VALUES (-1, 'orphan')",
                        "PREPARE TRANSACTION 'walflow:postgres:ops_job:7:0'");
            }
            assertThat(SlotCommand.run(config, List.of("prepared"), false, false).toString())
                    .contains("walflow:postgres:ops_job:7:0");
            ObjectNode dryRun = SlotCommand.run(config, List.of("rollback"), false, true);
            assertThat(dryRun.path("wouldSettle").toString()).contains("walflow:postgres:ops_job:7:0");
            assertThat(dryRun.path("warning").asText()).contains("never be resumed");
            ObjectNode rolledBack = SlotCommand.run(config, List.of("rollback", "walflow:postgres:ops_job:7:0"), true, false);
            assertThat(rolledBack.path("settled").toString()).contains("walflow:postgres:ops_job:7:0");
            try (Connection t = p.target()) {
                assertThat(SqlRunner.queryLong(t, "SELECT count(*) FROM pg_prepared_xacts WHERE gid = 'walflow:postgres:ops_job:7:0'")).isZero();
            }

            p.client.cancel().get();
            Pipeline.await("the job to end", p::isTerminal);
            Pipeline.await("the slot to be released", () -> {
                try (Connection c = p.source()) {
                    return SqlRunner.queryLong(c, "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = 'ops_slot'") == 0;
                } catch (Exception e) {
                    return false;
                }
            });
            ObjectNode stopped = StatusCommand.status(config, rest, jobId);
            assertThat(stopped.path("healthy").asBoolean()).isFalse();
            assertThat(stopped.path("flink").path("state").asText()).isEqualTo("CANCELED");

            ObjectNode dropDryRun = SlotCommand.run(config, List.of("drop"), false, false);
            assertThat(dropDryRun.path("dropped").asBoolean()).isFalse();
            ObjectNode dropped = SlotCommand.run(config, List.of("drop"), true, false);
            assertThat(dropped.path("dropped").asBoolean()).as("%s", dropped).isTrue();
            try (Connection c = p.source()) {
                assertThat(SqlRunner.queryLong(c, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'ops_slot'")).isZero();
                assertThat(SqlRunner.queryLong(c, "SELECT count(*) FROM pg_publication WHERE pubname = 'ops_slot'")).isZero();
            }
            assertThat(StatusCommand.status(config, rest, jobId).path("problems").toString()).contains("does not exist");

            ObjectNode created = SlotCommand.run(config, List.of("create"), false, false);
            assertThat(created.path("created").asBoolean()).as("%s", created).isTrue();
            try (Connection c = p.source()) {
                assertThat(SqlRunner.queryLong(c, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'ops_slot'")).isOne();
            }
        } finally {
            Pipeline.diagnostics = () -> "";
        }
    }
}
