package dev.walflow.job.it;

import dev.walflow.job.ReplicationJob;
import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the job refuses at start, and that the message names the thing and the fix. */
@ExtendWith(TestPostgres.class)
class PreflightITCase {

    private static String source;
    private static String target;

    @BeforeAll
    static void databases() throws Exception {
        source = TestPostgres.newDatabase("preflight_src");
        target = TestPostgres.newDatabase("preflight_dst");
        try (Connection c = TestPostgres.server().connect(source)) {
            SqlRunner.execute(c,
                    "CREATE TABLE keyed (id int PRIMARY KEY, v text)",
                    "CREATE TABLE loose (a int, b text)",
                    "CREATE TABLE \"odd name\" (id int PRIMARY KEY)",
                    "CREATE ROLE plain LOGIN PASSWORD 'plain'",
                    "GRANT SELECT ON keyed TO plain");
        }
    }

    private static Map<String, String> params() {
        PostgresServer pg = TestPostgres.server();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("source.url", pg.jdbcUrl(source));
        p.put("source.username", PostgresServer.USER);
        p.put("source.password", PostgresServer.PASSWORD);
        p.put("source.tables", "public.keyed");
        p.put("source.slot-name", "preflight_slot");
        p.put("sink.postgres.url", pg.jdbcUrl(target));
        p.put("sink.postgres.username", PostgresServer.USER);
        p.put("sink.postgres.password", PostgresServer.PASSWORD);
        return p;
    }

    private static void build(Map<String, String> params) {
        List<String> args = new ArrayList<>();
        params.forEach((k, v) -> {
            args.add("--" + k);
            args.add(v);
        });
        ReplicationJob.build(StreamExecutionEnvironment.getExecutionEnvironment(), args.toArray(new String[0]));
    }

    @Test
    void refusesTableWithoutKeyOrReplicaIdentity() {
        Map<String, String> p = params();
        p.put("source.tables", "public.keyed,public.loose");
        assertThatThrownBy(() -> build(p))
                .hasMessageContaining("public.loose")
                .hasMessageContaining("no primary key")
                .hasMessageContaining("REPLICA IDENTITY FULL");
    }

    @Test
    void refusesNamesFlinkCdcCannotSnapshot() {
        Map<String, String> p = params();
        p.put("source.tables", "public.\"odd name\"");
        assertThatThrownBy(() -> build(p))
                .hasMessageContaining("\"odd name\"")
                .hasMessageContaining("Rename it");
    }

    @Test
    void refusesMissingTable() {
        Map<String, String> p = params();
        p.put("source.tables", "public.nothere");
        assertThatThrownBy(() -> build(p))
                .hasMessageContaining("public.nothere")
                .hasMessageContaining("does not exist");
    }

    @Test
    void refusesUnreachableDatabaseNamingTheParameterWithoutThePassword() {
        Map<String, String> p = params();
        p.put("sink.postgres.url", "jdbc:postgresql://127.0.0.1:1/nowhere");
        p.put("sink.postgres.password", "s3cret-pw");
        assertThatThrownBy(() -> build(p))
                .hasMessageContaining("sink.postgres.url")
                .hasMessageContaining("127.0.0.1:1/nowhere")
                .satisfies(e -> assertThat(chain(e)).doesNotContain("s3cret-pw"));
    }

    @Test
    void refusesUserWithoutReplicationPrivilege() {
        Map<String, String> p = params();
        p.put("source.username", "plain");
        p.put("source.password", "plain");
        assertThatThrownBy(() -> build(p))
                .hasMessageContaining("'plain'")
                .hasMessageContaining("REPLICATION");
    }

    @Test
    void refusesExactlyOnceTargetThatCannotPrepareTransactions() {
        try (PostgresServer plain = PostgresServer.start(0, null, true, Map.of("max_prepared_transactions", "0"))) {
            plain.createDatabase("no2pc");
            Map<String, String> p = params();
            p.put("sink.postgres.url", plain.jdbcUrl("no2pc"));
            assertThatThrownBy(() -> build(p))
                    .hasMessageContaining("max_prepared_transactions")
                    .hasMessageContaining("sink.postgres.url")
                    .hasMessageContaining("at-least-once");
        }
    }

    @Test
    void createsPublicationSlotAndMissingTargetTable() throws Exception {
        Map<String, String> p = params();
        p.put("source.slot-name", "preflight_created");
        p.put("source.publication", "preflight_pub");
        build(p);
        try (Connection s = TestPostgres.server().connect(source);
                Connection t = TestPostgres.server().connect(target)) {
            assertThat(SqlRunner.rows(s, "SELECT tablename FROM pg_publication_tables WHERE pubname = 'preflight_pub'"))
                    .containsExactly(List.of("keyed"));
            assertThat(SqlRunner.queryLong(s, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'preflight_created' AND plugin = 'pgoutput'"))
                    .isEqualTo(1);
            assertThat(SqlRunner.rows(t, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'keyed' ORDER BY ordinal_position"))
                    .containsExactly(List.of("id", "integer"), List.of("v", "text"));
            SqlRunner.execute(s, "SELECT pg_drop_replication_slot('preflight_created')");
        }
    }

    private static String chain(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
