package dev.walflow.bench;

import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job's JVM is killed with SIGKILL during heavy writes; {@code deploy/local.sh --config}
 * (LocalRun) started again resumes from the newest retained checkpoint, and the end state is
 * exactly once: target equal to source, no row version applied twice, every change once in
 * change_history.
 */
class KillAndResumeITCase {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static java.util.function.Supplier<String> diagnostics = () -> "";

    @Test
    void killNineDuringWritesThenResume() throws Exception {
        // Kept under target/ so the runs' logs can be read after a failure.
        Path work = Path.of("target", "kill-and-resume").toAbsolutePath();
        deleteRecursively(work);
        Files.createDirectories(work);
        try (PostgresServer pg = PostgresServer.start()) {
            pg.createDatabase("kill_src");
            pg.createDatabase("kill_dst");
            String table = "CREATE TABLE ledger (id int PRIMARY KEY, version int NOT NULL)";
            try (Connection s = pg.connect("kill_src"); Connection t = pg.connect("kill_dst")) {
                SqlRunner.execute(s, table, "CREATE TABLE produced (id int, version int, op text)",
                        "CREATE FUNCTION rec() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                                + " INSERT INTO produced VALUES (NEW.id, NEW.version, TG_OP); RETURN NULL; END $$",
                        "CREATE TRIGGER rec AFTER INSERT OR UPDATE ON ledger FOR EACH ROW EXECUTE FUNCTION rec()");
                // One row for the snapshot; changes from here on are all streamed.
                SqlRunner.execute(s, "INSERT INTO ledger VALUES (0, 1)", "TRUNCATE produced");
                SqlRunner.execute(t, table, "CREATE TABLE applied (id int, version int)",
                        "CREATE FUNCTION rec() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                                + " INSERT INTO applied VALUES (NEW.id, NEW.version); RETURN NULL; END $$",
                        "CREATE TRIGGER rec AFTER INSERT OR UPDATE ON ledger FOR EACH ROW EXECUTE FUNCTION rec()");
            }
            Path checkpoints = work.resolve("checkpoints");
            Path config = work.resolve("walflow.properties");
            Files.writeString(config, String.join("\n",
                    "source.url=" + pg.jdbcUrl("kill_src"),
                    "source.username=postgres",
                    "source.password=postgres",
                    "source.tables=public.ledger",
                    "source.slot-name=kill_slot",
                    "source.heartbeat.interval=1s",
                    "sink.postgres.url=" + pg.jdbcUrl("kill_dst"),
                    "sink.postgres.username=postgres",
                    "sink.postgres.password=postgres",
                    "checkpoint.interval=1s",
                    "checkpoint.dir=" + checkpoints.toUri(),
                    "job.name=killtest", ""));

            Process first = startLocalRun(config, work.resolve("first.log"));
            try (Connection s = pg.connect("kill_src")) {
                // Once the snapshot row is in the target the job streams, so every change below
                // must reach change_history as a change of its own.
                await("the snapshot to reach the target", () -> count(pg, "kill_dst", "SELECT count(*) FROM ledger") > 0);
                Thread writer = new Thread(() -> write(pg, 1, 1500));
                writer.start();
                await("a retained checkpoint with data", () -> count(pg, "kill_dst", "SELECT count(*) FROM ledger") > 200
                        && hasCheckpoint(checkpoints));
                assertThat(writer.isAlive()).as("writes still running when the job is killed").isTrue();
                first.destroyForcibly().waitFor();
                writer.join();
            }

            long writtenBeforeRestart = count(pg, "kill_src", "SELECT count(*) FROM produced");
            Process second = startLocalRun(config, work.resolve("second.log"));
            await("the second run to resume from a retained checkpoint", () -> {
                try {
                    return Files.readString(work.resolve("second.log")).contains("Resuming from the retained checkpoint");
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            diagnostics = () -> "target rows " + count(pg, "kill_dst", "SELECT count(*) FROM ledger")
                    + " vs " + count(pg, "kill_src", "SELECT count(*) FROM ledger")
                    + ", version sum " + count(pg, "kill_dst", "SELECT coalesce(sum(version), 0) FROM ledger")
                    + " vs " + count(pg, "kill_src", "SELECT coalesce(sum(version), 0) FROM ledger")
                    + ", history " + count(pg, "kill_dst", "SELECT count(*) FROM walflow.change_history WHERE operation <> 'SNAPSHOT'")
                    + " vs produced " + count(pg, "kill_src", "SELECT count(*) FROM produced")
                    + ", applied twice " + count(pg, "kill_dst", "SELECT count(*) - count(DISTINCT (id, version)) FROM applied");
            try {
                await("the resumed job to catch up", () ->
                        count(pg, "kill_dst", "SELECT count(*) FROM ledger") == count(pg, "kill_src", "SELECT count(*) FROM ledger")
                                && count(pg, "kill_dst", "SELECT coalesce(sum(version), 0) FROM ledger")
                                        == count(pg, "kill_src", "SELECT coalesce(sum(version), 0) FROM ledger")
                                && count(pg, "kill_dst", "SELECT count(*) FROM walflow.change_history WHERE operation <> 'SNAPSHOT'")
                                        >= count(pg, "kill_src", "SELECT count(*) FROM produced"));
                assertThat(writtenBeforeRestart).as("changes written while the first run was alive or dead").isEqualTo(3000);
                try (Connection s = pg.connect("kill_src"); Connection t = pg.connect("kill_dst")) {
                    assertThat(SqlRunner.rows(t, "SELECT id, version FROM ledger ORDER BY id"))
                            .isEqualTo(SqlRunner.rows(s, "SELECT id, version FROM ledger ORDER BY id"));
                    assertThat(SqlRunner.queryLong(t, "SELECT count(*) - count(DISTINCT (id, version)) FROM applied"))
                            .as("row versions applied twice").isZero();
                    List<List<String>> history = SqlRunner.rows(t, "SELECT data->>'id', data->>'version' FROM walflow.change_history"
                            + " WHERE operation IN ('INSERT', 'UPDATE') ORDER BY 1, 2");
                    assertThat(history).as("changes in change_history, each once")
                            .isEqualTo(SqlRunner.rows(s, "SELECT id::text, version::text FROM produced ORDER BY 1, 2"));
                }
                // The local run serves the job's metrics for Prometheus, walflow's with labels.
                String metrics = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics)
                        .contains("flink_taskmanager_job_task_operator_walflow_table_operation_eventsProcessed{")
                        .contains("table=\"public_ledger\"")
                        .contains("flink_taskmanager_job_task_operator_walflow_lagBytes{");
            } finally {
                second.destroy();
                second.waitFor();
            }
        }
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The Prometheus port of the last run started. */
    private static int metricsPort;

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Process startLocalRun(Path config, Path log) throws Exception {
        int uiPort = freePort();
        metricsPort = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx1g", "-Duser.timezone=UTC",
                "-Dlog4j.configurationFile=" + Path.of("..", "conf", "log4j2.properties").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"),
                LocalRun.class.getName(), "--config", config.toString(), "--ui-port", String.valueOf(uiPort),
                "--metrics-port", String.valueOf(metricsPort), "--progress-interval", "2");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void write(PostgresServer pg, int firstId, int transactions) {
        try (Connection c = pg.connect("kill_src")) {
            for (int i = 0; i < transactions; i++) {
                int id = firstId + i;
                SqlRunner.execute(c, "INSERT INTO ledger VALUES (" + id + ", 1)",
                        "UPDATE ledger SET version = version + 1 WHERE id = " + (firstId + i / 2));
                // Paced so the kill lands in the middle of the writes.
                Thread.sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean hasCheckpoint(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var files = Files.walk(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().equals("_metadata"));
        } catch (Exception e) {
            return false;
        }
    }

    private static long count(PostgresServer pg, String db, String sql) {
        try (Connection c = pg.connect(db)) {
            return SqlRunner.queryLong(c, sql);
        } catch (Exception e) {
            return -1;
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + WAIT.toSeconds() + " s waiting for " + what + ": " + diagnostics.get());
            }
            Thread.sleep(250);
        }
    }
}
