package dev.walflow.job.it;

import dev.walflow.job.ReplicationJob;
import dev.walflow.testkit.PostgresServer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Passwords never reach a log line or an exception: given as parameters, or inside JDBC URLs
 * (where the driver accepts them too), for unreachable databases at start and for a sink that
 * fails while the job runs.
 */
@ExtendWith(TestPostgres.class)
class CredentialsITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    private static final String SOURCE_SECRET = "Src-S3cret-9f2a";
    private static final String URL_SECRET = "Url-S3cret-77b1";
    private static final String TARGET_SECRET = "Tgt-S3cret-c0de";

    @Test
    void unreachableDatabasesAtStart() throws Exception {
        String source = TestPostgres.newDatabase("cred_src");
        String target = TestPostgres.newDatabase("cred_dst");
        PostgresServer pg = TestPostgres.server();
        try (var c = pg.connect(source)) {
            dev.walflow.testkit.SqlRunner.execute(c, "CREATE TABLE items (id int PRIMARY KEY)");
        }
        try (LogCapture logs = LogCapture.open()) {
            // Nothing listens on port 1.
            Throwable sourceDown = catchThrowable(() -> build(
                    "--source.url", "jdbc:postgresql://127.0.0.1:1/" + source + "?password=" + URL_SECRET + "&sslmode=disable",
                    "--source.password", SOURCE_SECRET,
                    "--sink.postgres.url", pg.jdbcUrl(target), "--sink.postgres.password", TARGET_SECRET));
            assertThat(sourceDown).isNotNull();
            assertThat(everything(sourceDown)).contains("127.0.0.1:1");
            Throwable targetDown = catchThrowable(() -> build(
                    "--source.url", pg.jdbcUrl(source), "--source.password", SOURCE_SECRET,
                    "--sink.postgres.url", "jdbc:postgresql://127.0.0.1:1/" + target + "?password=" + URL_SECRET,
                    "--sink.postgres.password", TARGET_SECRET));
            assertThat(targetDown).isNotNull();
            assertThat(everything(targetDown)).contains("Cannot connect to the target database");
            assertNoSecret(everything(sourceDown) + everything(targetDown) + logs.text());
            assertThat(logs.text()).as("the parameters were logged (masked)").contains("walflow parameters:");
        }
    }

    @Test
    void failingSinkWithPasswordsInUrls() throws Exception {
        String source = TestPostgres.newDatabase("cred_run_src");
        String target = TestPostgres.newDatabase("cred_run_dst");
        try (LogCapture logs = LogCapture.open();
                Pipeline p = new Pipeline(source, target, "cred_slot")) {
            p.sourceSql(
                    "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, 'v' FROM generate_series(1, 20) g");
            // The test server trusts local connections, so the passwords are carried but unused.
            p.param("source.tables", "public.items")
                    .param("source.password", SOURCE_SECRET)
                    .param("source.url", p.pg.jdbcUrl(source) + "?password=" + URL_SECRET)
                    .param("sink.postgres.url", p.pg.jdbcUrl(target) + "?password=" + URL_SECRET + "&ApplicationName=cred")
                    .param("sink.postgres.password", TARGET_SECRET)
                    .param("sink.delivery-guarantee", "at-least-once")
                    .restartAttempts(0)
                    .start();
            p.awaitTargetEqualsSource("public.items");
            // The sink's next write fails: its error names the target database.
            try (var t = p.target()) {
                dev.walflow.testkit.SqlRunner.execute(t, "DROP TABLE items");
            }
            p.sourceSql("INSERT INTO items VALUES (100, 'after the drop')");
            Pipeline.await("the job to fail", p::isTerminal);
            String cause = p.failureCause();
            assertThat(cause).contains("does not exist");
            assertNoSecret(cause + logs.text());
            // Structured fields: Flink's job id on task threads, walflow's slot and position.
            assertThat(logs.text()).contains("flink-job-id=").contains("walflow.slot=cred_slot").contains("walflow.position=");
        }
        // Flink CDC logs its Debezium configuration, password included, at INFO: the source
        // quiets that logger itself (this test's logging configuration does not), and the
        // shipped configuration keeps it at WARN too.
        assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("..", "conf", "log4j2.properties")))
                .contains("logger.cdc-config.name = " + CDC_CONFIG_LOGGER)
                .contains("logger.cdc-config.level = WARN");
    }

    static final String CDC_CONFIG_LOGGER = "org.apache.flink.cdc.connectors.postgres.source.fetch.PostgresSourceFetchTaskContext";

    private static void build(String... args) {
        String[] common = {"--source.username", PostgresServer.USER, "--source.tables", "public.items",
                "--sink.postgres.username", PostgresServer.USER, "--source.slot-name", "cred_unused"};
        String[] all = new String[common.length + args.length];
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(args, 0, all, common.length, args.length);
        ReplicationJob.build(StreamExecutionEnvironment.getExecutionEnvironment(), all);
    }

    private static String everything(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    private static void assertNoSecret(String text) {
        assertThat(text).isNotEmpty();
        for (String secret : new String[] {SOURCE_SECRET, URL_SECRET, TARGET_SECRET}) {
            assertThat(text).as("logs and errors must not contain a password").doesNotContain(secret);
        }
    }
}
