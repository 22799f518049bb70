package dev.walflow.job;

import dev.walflow.jdbc.Connections;
import dev.walflow.job.config.HistoryOptions;
import dev.walflow.job.config.JobConfig;
import dev.walflow.job.config.JobOptions;
import dev.walflow.job.config.OptionsDoc;
import dev.walflow.job.config.SinkOptions;
import dev.walflow.job.config.SourceOptions;
import dev.walflow.job.config.VerifyOptions;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.verify.HealthCheckState;
import dev.walflow.verify.KeyRange;
import dev.walflow.verify.RangeResult;
import dev.walflow.verify.RangeVerifyFunction;
import dev.walflow.verify.VerifyReport;
import dev.walflow.verify.VerifySettings;
import org.apache.flink.api.common.BatchShuffleMode;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Entry point of the verification job: a Flink batch job that compares every captured table of
 * the source with the PostgreSQL target (and change_history), key range by key range, and with
 * {@code --repair} mends what differs. It takes the streaming job's parameters (the same
 * {@code --config} file) plus the {@code verify.*} options, prints a summary, keeps the result
 * in {@code <walflow.schema>.health_check_state}, and exits with 0 when the targets are
 * consistent (or were repaired), 1 when they differ, 2 when the target lagged too far behind to
 * tell, 3 on errors.
 *
 * <pre>flink run -c dev.walflow.job.VerifyJob walflow-job.jar --config walflow.properties [--repair]</pre>
 */
public final class VerifyJob {

    private static final Logger LOG = LoggerFactory.getLogger(VerifyJob.class);

    private VerifyJob() {}

    public static void main(String[] args) throws Exception {
        if (JobConfig.wantsHelp(args)) {
            System.out.println(OptionsDoc.helpText());
            return;
        }
        try {
            JobConfig config = JobConfig.parse(withFlags(args), System.getenv());
            Duration interval = config.configuration().get(VerifyOptions.INTERVAL);
            while (true) {
                VerifyReport report = run(StreamExecutionEnvironment::getExecutionEnvironment, config);
                if (interval == null) {
                    // The exit status tells a scheduler (cron, a Kubernetes Job) the outcome.
                    System.exit(report.status().exitCode());
                }
                LOG.info("Next verification in {}", interval);
                Thread.sleep(interval.toMillis());
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            // Bad parameters or unreachable databases: status 3, never 1 (which means "differs").
            LOG.error("walflow verify cannot run", e);
            System.err.println("walflow verify: " + e.getMessage());
            System.exit(VerifyReport.Status.FAILED.exitCode());
        }
    }

    /** {@code --repair [value]} stands for {@code --verify.repair value}, true when bare. */
    static String[] withFlags(String[] args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--repair")) {
                out.add("--" + VerifyOptions.REPAIR.key());
                boolean bare = i + 1 >= args.length || args[i + 1].startsWith("--");
                out.add(bare ? "true" : args[++i]);
            } else {
                out.add(args[i]);
            }
        }
        return out.toArray(new String[0]);
    }

    /** Parses the parameters and runs one verification on the environment the supplier gives. */
    public static VerifyReport run(Supplier<StreamExecutionEnvironment> environments, String... args) throws Exception {
        return run(environments, JobConfig.parse(withFlags(args), System.getenv()));
    }

    static VerifyReport run(Supplier<StreamExecutionEnvironment> environments, JobConfig config) throws Exception {
        long started = System.currentTimeMillis();
        LOG.info("walflow verify parameters: {}", config.describe());
        TargetConfig target = ReplicationJob.sinkConfig(config);
        boolean repair = config.get(VerifyOptions.REPAIR);
        boolean withHistory = config.get(HistoryOptions.ENABLED) && config.get(VerifyOptions.HISTORY);
        TargetConfig history = withHistory ? ReplicationJob.historyConfig(config) : null;
        VerifyPlan plan = VerifyPlan.make(config, target, history);
        HealthCheckState state = new HealthCheckState(target.walflowSchema());
        long checkId;
        try (Connection c = connectTarget(target)) {
            checkId = state.start(c, config.get(JobOptions.JOB_NAME), repair ? "repair" : "verify",
                    plan.tables().size(), plan.ranges().size());
        }
        VerifySettings settings = new VerifySettings(
                config.get(SourceOptions.URL),
                ReplicationJob.sourceConnectionProperties(config),
                config.get(SourceOptions.SLOT_NAME),
                target,
                history,
                plan.tables(),
                config.get(VerifyOptions.LAG_TIMEOUT),
                repair,
                config.get(VerifyOptions.MAX_REPORTED_ROWS),
                checkId,
                plan.valueHashTables(),
                ReplicationJob.clickHouseConfig(config));
        VerifyReport report = new VerifyReport(checkId, config.get(JobOptions.JOB_NAME), repair ? "repair" : "verify",
                Connections.redact(target.url()), Instant.ofEpochMilli(started).toString(), config.get(VerifyOptions.MAX_REPORTED_ROWS));
        report.tablesChecked = plan.tables().size();
        report.clickHouse = settings.clickHouse() != null;
        report.notes.addAll(plan.notes());
        LOG.info("Verifying {} tables in {} key ranges against {} (health_check_state id {})",
                plan.tables().size(), plan.ranges().size(), Connections.redact(target.url()), checkId);
        try (VerifyProgress progress = VerifyProgress.start(target, state, checkId)) {
            for (RangeResult r : execute(environments.get(), config, settings, plan.ranges())) {
                report.add(r);
            }
        } catch (Exception e) {
            report.errors.add("The verify job failed: " + rootMessage(e));
            LOG.error("The verify job failed", e);
        }
        report.durationMillis = System.currentTimeMillis() - started;
        try (Connection c = connectTarget(target)) {
            state.finish(c, checkId, report);
        }
        String file = config.configuration().get(VerifyOptions.REPORT_FILE);
        if (file != null) {
            Files.writeString(Path.of(file), report.toJson(), StandardCharsets.UTF_8);
        }
        System.out.print(report.summary());
        LOG.info("walflow verify #{} finished: {} ({} mismatches, {} records scanned, {} ms)", checkId,
                report.status().label(), report.mismatches(), report.recordsScanned, report.durationMillis);
        return report;
    }

    private static List<RangeResult> execute(
            StreamExecutionEnvironment env, JobConfig config, VerifySettings settings, List<KeyRange> ranges)
            throws Exception {
        List<RangeResult> results = new ArrayList<>();
        if (ranges.isEmpty()) {
            return results;
        }
        Configuration batch = new Configuration();
        batch.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        // Hybrid exchanges: later stages start while earlier ones run, so a small run does not
        // wait for its stages one after another (pipelined ones need the default scheduler).
        batch.set(ExecutionOptions.BATCH_SHUFFLE_MODE, BatchShuffleMode.ALL_EXCHANGES_HYBRID_FULL);
        env.configure(batch);
        int parallelism = config.configuration().getOptional(VerifyOptions.PARALLELISM).orElse(env.getParallelism());
        try (CloseableIterator<String> it = env.fromData(ranges, TypeInformation.of(KeyRange.class))
                .name(OperatorIds.VERIFY_RANGES_NAME)
                .uid(OperatorIds.VERIFY_RANGES)
                .rebalance()
                .flatMap(new RangeVerifyFunction(settings))
                .name(OperatorIds.VERIFY_COMPARE_NAME)
                .uid(OperatorIds.VERIFY_COMPARE)
                .setParallelism(Math.max(1, Math.min(parallelism, ranges.size())))
                .executeAndCollect(config.get(JobOptions.JOB_NAME) + "-verify")) {
            while (it.hasNext()) {
                results.add(RangeResult.fromJson(it.next()));
            }
        }
        return results;
    }

    static Connection connectTarget(TargetConfig target) throws SQLException {
        try {
            return Connections.open(target.url(), target.connectionProperties());
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot connect to the target database (" + SinkOptions.POSTGRES_URL.key() + "="
                    + Connections.redact(target.url()) + "): " + e.getMessage(), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
