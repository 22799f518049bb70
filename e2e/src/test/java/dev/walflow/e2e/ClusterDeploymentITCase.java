package dev.walflow.e2e;

import dev.walflow.testkit.PostgresServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * walflow as a user deploys it: a standalone Flink session cluster (a JobManager and a
 * TaskManager process, started from Maven artifacts), the shaded jar uploaded and run
 * through the REST API with program arguments, passwords from the processes' environment.
 * Data must reach the target, walflow's metrics must be readable through the REST API, the
 * web UI must show the job (a screenshot is kept), and a stop with a savepoint followed by a
 * resume through {@code deploy/submit.sh} must lose and repeat nothing.
 */
class ClusterDeploymentITCase {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String ENTRY_CLASS = "dev.walflow.job.ReplicationJob";

    private final Path work = Path.of("target", "e2e").toAbsolutePath();
    private StandaloneCluster cluster;
    private FlinkRestApi rest;
    private LedgerDatabases ledger;
    private String jobId;

    @Test
    void submitRunStopWithSavepointAndResume() throws Exception {
        deleteRecursively(work);
        Files.createDirectories(work);
        Path jobJar = Path.of(System.getProperty("e2e.jobJar"));
        assertThat(jobJar).as("the shaded job jar (built by the job module's package phase)").isRegularFile();
        String classpath = Files.readString(Path.of(System.getProperty("e2e.clusterClasspath"))).trim();
        HeadlessChromium.requireInstalled();

        try (PostgresServer pg = PostgresServer.start()) {
            ledger = new LedgerDatabases(pg, "e2e_source", "e2e_target");
            ledger.create(300);
            cluster = StandaloneCluster.start(work.resolve("cluster"), classpath,
                    repository().resolve("conf/config.yaml"), Map.of(
                    "WALFLOW_SOURCE_PASSWORD", PostgresServer.PASSWORD,
                    "WALFLOW_SINK_POSTGRES_PASSWORD", PostgresServer.PASSWORD));
            try {
                rest = new FlinkRestApi(cluster.restUrl());
                await("the TaskManager to register", () ->
                        rest.get("/taskmanagers").path("taskmanagers").size() == 1);

                // 1. Upload and run, as a CI pipeline would with curl.
                String jarId = rest.uploadJar(jobJar);
                jobId = rest.runJar(jarId, ENTRY_CLASS, jobArguments(), null);
                await("the job to run", () -> rest.state(jobId).equals("RUNNING"));
                await("the snapshot to reach the target", ledger::targetEqualsSource);

                // 2. Streamed changes arrive; the sink's counter is readable over REST.
                ledger.write(150);
                await("the streamed changes to reach the target", ledger::targetEqualsSource);
                // The JobManager fetches metrics from the TaskManagers every few seconds.
                await("walflowRowsWritten of the PostgreSQL sink in the REST API to count the snapshot"
                        + " and the streamed rows",
                        () -> metricSum("PostgreSQL sink", "walflowRowsWritten") >= 300 + 150);
                // ... and for Prometheus, through the reporter conf/config.yaml enables.
                await("the TaskManager's Prometheus endpoint to serve walflow's sink counters",
                        () -> prometheusText().contains("flink_taskmanager_job_task_operator_walflow_table_operation_eventsProcessed{"));

                // 3. The web UI shows the running job and its graph.
                String jobPage = cluster.restUrl() + "/#/job/running/" + jobId + "/overview";
                Path screenshot = work.resolve("flink-web-ui.png");
                try (HeadlessChromium chromium = HeadlessChromium.start(work.resolve("chromium"), 1600, 1000)) {
                    String html = chromium.open(jobPage, WAIT, "walflow-e2e", "RUNNING", "PostgreSQL sink");
                    assertThat(html).as("the job graph on the page").contains("<svg", "change_history sink");
                    chromium.screenshot(screenshot);
                }
                assertThat(Files.size(screenshot)).as("screenshot size").isGreaterThan(20_000);

                // 4. Stop with a savepoint: the job finishes, everything it read is committed.
                String trigger = rest.stopWithSavepoint(jobId, work.resolve("savepoints").toUri().toString());
                String[] savepoint = new String[1];
                await("the savepoint", () -> (savepoint[0] = rest.savepointLocation(jobId, trigger)) != null);
                await("the stopped job to finish", () -> rest.state(jobId).equals("FINISHED"));
                assertThat(ledger.targetEqualsSource()).as("target equals source after the stop").isTrue();
                assertThat(ledger.targetCount("SELECT count(*) FROM pg_prepared_xacts"))
                        .as("prepared transactions left by the stop").isZero();

                // 5. Changes made while no job runs wait in the slot.
                ledger.write(150);

                // 6. Resume from the savepoint with deploy/submit.sh (REST, a new upload).
                jobId = submitScript(jobJar, savepoint[0]);
                await("the resumed job to run", () -> rest.state(jobId).equals("RUNNING"));
                ledger.write(50);
                await("the resumed job to catch up", ledger::targetEqualsSource);
                assertExactlyOnce();
            } catch (AssertionError | Exception e) {
                System.err.println("ClusterDeploymentITCase failed; logs under " + work);
                throw e;
            } finally {
                if (jobId != null) {
                    rest.cancel(jobId);
                }
                cluster.close();
            }
        }
    }

    private List<String> jobArguments() {
        return List.of(
                "--source.url", ledger.sourceUrl(),
                "--source.username", PostgresServer.USER,
                "--source.tables", LedgerDatabases.TABLE,
                "--source.slot-name", "e2e_slot",
                "--source.heartbeat.interval", "1s",
                "--sink.postgres.url", ledger.targetUrl(),
                "--sink.postgres.username", PostgresServer.USER,
                "--checkpoint.interval", "1s",
                "--checkpoint.dir", work.resolve("checkpoints").toUri().toString(),
                "--job.name", "walflow-e2e");
    }

    /**
     * Runs deploy/submit.sh against the cluster's REST address, with the job's parameters in a
     * properties file (as a user keeps them) except one given on the command line, and returns
     * the job id it prints.
     */
    private String submitScript(Path jobJar, String savepoint) throws Exception {
        List<String> args = jobArguments();
        StringBuilder properties = new StringBuilder("# walflow parameters of the resumed e2e job\n");
        for (int i = 0; i < args.size() - 2; i += 2) {
            properties.append(args.get(i).substring(2)).append(" = ").append(args.get(i + 1)).append('\n');
        }
        Path config = Files.writeString(work.resolve("walflow.properties"), properties);
        List<String> command = List.of("bash", repository().resolve("deploy/submit.sh").toString(),
                "--rest", cluster.restUrl(), "--jar", jobJar.toString(), "--savepoint", savepoint,
                "--config", config.toString(), args.get(args.size() - 2), args.get(args.size() - 1));
        Path log = work.resolve("submit.log");
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes()).trim();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("submit.sh finished").isTrue();
        assertThat(process.exitValue())
                .as("submit.sh exit code; its messages:\n" + Files.readString(log))
                .isZero();
        assertThat(out).as("submit.sh prints the job id").matches("[0-9a-f]{32}");
        return out;
    }

    private static Path repository() {
        return Path.of(System.getProperty("e2e.repository")).toAbsolutePath().normalize();
    }

    /** What every Prometheus endpoint of the cluster serves now, one after another. */
    private String prometheusText() {
        StringBuilder text = new StringBuilder();
        for (String url : cluster.prometheusUrls()) {
            try {
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    text.append(response.body());
                }
            } catch (IOException e) {
                // Nothing listens on this port of the range.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return text.toString();
    }

    /** The metric summed over the vertex's subtasks, or -1 while the REST API has none yet. */
    private long metricSum(String vertex, String metric) throws Exception {
        List<String[]> values = rest.vertexMetric(jobId, vertex, metric);
        long sum = values.isEmpty() ? -1 : 0;
        for (String[] idAndValue : values) {
            sum += Long.parseLong(idAndValue[1]);
        }
        if (!values.isEmpty()) {
            System.out.println("REST metric " + values.get(0)[0] + " = " + values.get(0)[1]);
        }
        return sum;
    }

    private void assertExactlyOnce() throws Exception {
        long produced = ledger.sourceCount("SELECT count(*) FROM produced");
        assertThat(produced).as("changes produced after the snapshot").isGreaterThan(350 * 3);
        assertThat(ledger.targetCount("SELECT count(*) - count(DISTINCT (id, version)) FROM applied"))
                .as("row versions applied twice to the target").isZero();
        String changes = "SELECT coalesce(data->>'id', old_data->>'id') AS id, data->>'version' AS version,"
                + " operation FROM walflow.change_history"
                + " WHERE table_name = 'public.ledger' AND operation <> 'SNAPSHOT'";
        await("change_history to hold every produced change", () ->
                ledger.targetCount("SELECT count(*) FROM (" + changes + ") h") >= produced);
        assertThat(ledger.targetCount("SELECT count(*) FROM (" + changes + ") h"))
                .as("changes in change_history").isEqualTo(produced);
        assertThat(ledger.targetRows("SELECT id, version FROM (" + changes + ") h"
                        + " WHERE operation <> 'DELETE' ORDER BY 1, 2"))
                .as("inserts and updates in change_history, each once")
                .isEqualTo(ledger.sourceRows("SELECT id::text, version::text FROM produced"
                        + " WHERE op <> 'DELETE' ORDER BY 1, 2"));
        assertThat(ledger.targetCount("SELECT count(*) FROM walflow.change_history WHERE operation = 'SNAPSHOT'"))
                .as("snapshot rows in change_history (the resume took none again)").isEqualTo(300);
    }

    private void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return;
                }
                last = null;
            } catch (IOException e) {
                last = e; // e.g. the REST API before the JobManager is up
            }
            if (jobId != null && rest != null && isTerminalFailure()) {
                break;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Gave up after " + WAIT.toSeconds() + " s waiting for " + what
                + (last == null ? "" : " (last error: " + last.getMessage() + ")")
                + "\n  databases: " + (ledger == null ? "-" : ledger.describe())
                + "\n  cluster processes: " + (cluster == null ? "-" : cluster.processStates())
                + (jobId == null || rest == null ? "" : "\n  job " + jobId + ": " + safeState()
                        + "\n  latest exception: " + rest.latestException(jobId))
                + "\n  logs: " + work);
    }

    private boolean isTerminalFailure() {
        String state = safeState();
        return state.equals("FAILED") || state.equals("CANCELED");
    }

    private String safeState() {
        try {
            return rest.state(jobId);
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
