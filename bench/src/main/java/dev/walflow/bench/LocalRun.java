package dev.walflow.bench;

import dev.walflow.jdbc.Connections;
import dev.walflow.job.OperatorIds;
import dev.walflow.job.ReplicationJob;
import dev.walflow.job.config.JobConfig;
import dev.walflow.job.config.JobOptions;
import dev.walflow.job.config.OptionsDoc;
import dev.walflow.job.config.SinkOptions;
import dev.walflow.job.config.SourceOptions;
import dev.walflow.testkit.DemoSchema;
import dev.walflow.testkit.DemoWorkload;
import dev.walflow.testkit.PostgresServer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.logging.log4j.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs walflow on a local Flink cluster with the web UI: on the embedded default (PostgreSQL
 * from a Maven artifact, demo schema and workload) or, with {@code --config}, against real
 * databases. Prints a banner, then a progress line at a fixed interval; Ctrl-C cancels the job
 * and stops everything the run started. {@code deploy/local.sh} builds and starts it.
 */
public final class LocalRun {

    private static final Logger LOG = LoggerFactory.getLogger(LocalRun.class);

    static final String HOST = "127.0.0.1";
    static final Path CHECKPOINT_DIR = Path.of(".local", "checkpoints");

    private final LocalRunArgs args;
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final CountDownLatch stopSignal = new CountDownLatch(1);

    private EmbeddedDefault embedded;
    private DemoWorkload workload;
    private JobConfig config;
    private JobClient jobClient;
    private CompletableFuture<JobExecutionResult> jobResult;
    private DatabaseProbe sourceProbe;
    private DatabaseProbe targetProbe;
    private ProgressReporter reporter;
    private boolean shutDown;

    LocalRun(LocalRunArgs args) {
        this.args = args;
    }

    public static void main(String[] argv) {
        LocalRunArgs args;
        try {
            args = LocalRunArgs.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("walflow local: " + e.getMessage());
            System.err.println("Run with --help for the flags and the job's parameters.");
            System.exit(2);
            return;
        }
        if (args.help()) {
            System.out.println(LocalRunArgs.usage());
            System.out.println(OptionsDoc.helpText());
            return;
        }
        System.exit(new LocalRun(args).run());
    }

    /** Runs until Ctrl-C or the job's end; returns the exit code. */
    int run() {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> shutdown(true), "walflow-local-shutdown"));
        try {
            start();
        } catch (Exception e) {
            printCauses("walflow local: cannot start", e);
            shutdown(false);
            return 1;
        }
        printBanner();
        return watch();
    }

    private void start() throws Exception {
        requireFreePort(args.uiPort(), "Flink web UI", "--ui-port");
        if (args.metricsPort() != 0) {
            requireFreePort(args.metricsPort(), "Prometheus metrics endpoint", "--metrics-port");
        }
        List<String> jobArgs = new ArrayList<>();
        if (args.demo()) {
            if (args.pgPort() != 0) {
                requireFreePort(args.pgPort(), "embedded PostgreSQL", "--pg-port");
            }
            embedded = EmbeddedDefault.start(args.pgPort(), args.rate(), out);
            workload = embedded.workload();
            Files.createDirectories(CHECKPOINT_DIR);
            jobArgs.addAll(embedded.jobArgs(CHECKPOINT_DIR));
        } else {
            jobArgs.addAll(List.of("--config", args.configFile()));
        }
        jobArgs.addAll(args.jobArgs());
        Configuration flink = flinkConfiguration();
        if (!args.demo()) {
            resumeFromRetainedCheckpoint(jobArgs, flink);
        }

        out.println("Building the job (preflight checks the databases)...");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
        env.setParallelism(2);
        config = ReplicationJob.build(env, jobArgs.toArray(new String[0]));
        jobClient = env.executeAsync(config.get(JobOptions.JOB_NAME));
        jobResult = jobClient.getJobExecutionResult();

        sourceProbe = probe(SourceOptions.URL, SourceOptions.USERNAME, SourceOptions.PASSWORD);
        if (args.demo()) {
            targetProbe =
                    probe(
                            SinkOptions.POSTGRES_URL,
                            SinkOptions.POSTGRES_USERNAME,
                            SinkOptions.POSTGRES_PASSWORD);
        }
        reporter =
                new ProgressReporter(
                        new FlinkRestClient(webUiUrl(), OperatorIds.SINK_POSTGRES_NAME),
                        jobClient.getJobID().toHexString(),
                        sourceProbe,
                        config.get(SourceOptions.SLOT_NAME),
                        targetProbe,
                        DemoSchema.TABLES,
                        workload,
                        out);
    }

    /**
     * Against real databases the job keeps its checkpoints (in checkpoint.dir, by default
     * .local/checkpoints) and a new run starts from the newest one, so stopping or killing the
     * process loses nothing. Delete the directory to start from scratch.
     */
    private void resumeFromRetainedCheckpoint(List<String> jobArgs, Configuration flink) throws IOException {
        JobConfig parsed = JobConfig.parse(jobArgs.toArray(new String[0]), System.getenv());
        String dir;
        if (parsed.configuration().contains(JobOptions.CHECKPOINT_DIR)) {
            dir = parsed.get(JobOptions.CHECKPOINT_DIR);
        } else {
            Files.createDirectories(CHECKPOINT_DIR);
            dir = CHECKPOINT_DIR.toAbsolutePath().toUri().toString();
            jobArgs.addAll(List.of("--checkpoint.dir", dir));
        }
        Optional<Path> latest = RetainedCheckpoints.latest(dir);
        if (latest.isPresent()) {
            out.println("Resuming from the retained checkpoint " + latest.get()
                    + " (delete " + dir + " to start from scratch)");
            flink.set(SavepointConfigOptions.SAVEPOINT_PATH, latest.get().toUri().toString());
        } else {
            out.println("No retained checkpoint in " + dir + ": starting with a snapshot");
        }
    }

    private Configuration flinkConfiguration() {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, HOST);
        conf.set(RestOptions.ADDRESS, HOST);
        conf.set(RestOptions.PORT, args.uiPort());
        conf.set(JobManagerOptions.ADDRESS, HOST);
        conf.set(TaskManagerOptions.HOST, HOST);
        // The REST API serves metrics from a cache refreshed every 10 s by default, which is
        // longer than the progress interval.
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
        if (args.metricsPort() != 0) {
            // The same reporter conf/config.yaml enables on a cluster (flink-metrics-prometheus
            // is on the local run's classpath; a cluster has it in plugins/).
            conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            conf.setString("metrics.reporter.prom.port", String.valueOf(args.metricsPort()));
            conf.setString("metrics.reporter.prom.host", HOST);
        }
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(5));
        return conf;
    }

    private DatabaseProbe probe(
            ConfigOption<String> url,
            ConfigOption<String> user,
            ConfigOption<String> password) {
        return new DatabaseProbe(
                config.get(url), config.get(user), config.configuration().get(password));
    }

    private void printBanner() {
        String source = Connections.redact(config.get(SourceOptions.URL));
        String target = Connections.redact(config.get(SinkOptions.POSTGRES_URL));
        out.println();
        out.println(
                "walflow is running "
                        + (args.demo()
                                ? "on the embedded default (demo schema, "
                                        + (workload == null
                                                ? "no workload)"
                                                : "workload " + fmt(args.rate()) + " tx/s)")
                                : "with " + args.configFile()));
        out.println("  Flink web UI  " + webUiUrl());
        if (args.metricsPort() != 0) {
            out.println("  metrics       http://" + HOST + ":" + args.metricsPort() + "/metrics (Prometheus; walflow's under flink_*_walflow_*)");
        }
        out.println("  source        " + source + credentials(SourceOptions.USERNAME));
        out.println("  target        " + target + credentials(SinkOptions.POSTGRES_USERNAME));
        out.println("  slot          " + config.get(SourceOptions.SLOT_NAME));
        out.println("  job           " + jobClient.getJobID());
        out.println("  Stop with Ctrl-C: cancels the job"
                + (args.demo() ? ", stops the workload and PostgreSQL." : "."));
        out.println(
                "  Progress every " + fmt(args.progressInterval().toMillis() / 1000.0)
                        + " s: job state | events/s through the PostgreSQL sink, total | "
                        + (args.demo() ? "rows in target | " : "")
                        + "slot lag in bytes" + (workload != null ? " | changes written" : ""));
        out.println();
    }

    private String credentials(ConfigOption<String> user) {
        return args.demo()
                ? "  (user " + PostgresServer.USER + ", password " + PostgresServer.PASSWORD + ")"
                : "  (user " + config.get(user) + ")";
    }

    private int watch() {
        while (true) {
            try {
                if (stopSignal.await(args.progressInterval().toMillis(), TimeUnit.MILLISECONDS)) {
                    return 0; // Ctrl-C: the shutdown hook does the rest.
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
            if (jobResult.isDone()) {
                return jobEnded();
            }
            reporter.report();
        }
    }

    /** The job ended by itself: a failure after its restarts, or a bounded end. */
    private int jobEnded() {
        try {
            jobResult.get();
            out.println("The job finished.");
            shutdown(false);
            return 0;
        } catch (ExecutionException e) {
            printCauses("walflow local: the job failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdown(false);
        return 1;
    }

    /** Stops everything the run started, once: the job, the workload, PostgreSQL. */
    private void shutdown(boolean fromHook) {
        synchronized (this) {
            if (shutDown) {
                return;
            }
            shutDown = true;
        }
        stopSignal.countDown();
        try {
            if (reporter != null && !jobResult.isDone()) {
                reporter.report();
            }
            if (jobClient != null && !jobResult.isDone()) {
                out.println("Cancelling the job...");
                jobClient.cancel().get(30, TimeUnit.SECONDS);
                jobResult.handle((r, e) -> null).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.warn("Cancelling the job failed", e);
        }
        if (sourceProbe != null) {
            sourceProbe.close();
        }
        if (targetProbe != null) {
            targetProbe.close();
        }
        if (embedded != null) {
            embedded.close();
        }
        printSummary();
        if (fromHook) {
            LogManager.shutdown();
        }
    }

    private void printSummary() {
        if (reporter != null) {
            reporter.printSummary();
        }
        if (embedded != null) {
            out.println("  checkpoints kept in " + CHECKPOINT_DIR.toAbsolutePath());
        }
    }

    /** Prints an error and the messages of its causes, without stack traces. */
    private void printCauses(String headline, Throwable error) {
        List<String> lines = ErrorMessages.causeChain(error);
        err.println(headline + ": " + lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            err.println("  " + line);
        }
        LOG.debug("Stack trace of the error above", error);
    }

    private String webUiUrl() {
        return "http://" + HOST + ":" + args.uiPort();
    }

    private static void requireFreePort(int port, String what, String flag) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(HOST, port));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Port " + port + " on " + HOST + " is in use, so the " + what
                            + " cannot listen there: stop whatever uses it (an earlier run?) or"
                            + " choose another port with " + flag);
        }
    }

    private static String fmt(double value) {
        return ProgressReporter.decimal(value);
    }
}
