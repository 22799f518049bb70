package dev.walflow.job;

import dev.walflow.job.config.ClickHouseOptions;
import dev.walflow.job.config.HistoryOptions;
import dev.walflow.job.config.InvalidConfigException;
import dev.walflow.job.config.JobConfig;
import dev.walflow.job.config.JobOptions;
import dev.walflow.job.config.OptionsDoc;
import dev.walflow.job.config.SinkOptions;
import dev.walflow.job.config.SourceOptions;
import dev.walflow.model.ChangeEvent;
import dev.walflow.schema.TableInfo;
import dev.walflow.sink.clickhouse.ClickHouseConfig;
import dev.walflow.sink.clickhouse.ClickHouseSink;
import dev.walflow.sink.clickhouse.CompleteRowFunction;
import dev.walflow.sink.postgres.PostgresSink;
import dev.walflow.sink.history.HistorySink;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.source.PendingCommits;
import dev.walflow.source.SafeLsnSource;
import dev.walflow.source.SlotGuard;
import dev.walflow.source.SourceCatalog;
import dev.walflow.source.SourceRowLookup;
import dev.walflow.source.SourceHeartbeatFunction;
import dev.walflow.source.ToastCompletionFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.UnaryOperator;

/** Entry point of the streaming job: capture, route and deliver every change. */
public final class ReplicationJob {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationJob.class);

    private ReplicationJob() {}

    public static void main(String[] args) throws Exception {
        if (JobConfig.wantsHelp(args)) {
            System.out.println(OptionsDoc.helpText());
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobConfig config = build(env, args);
        env.execute(config.get(JobOptions.JOB_NAME));
    }

    /**
     * Parses the parameters, checks and prepares the databases, and adds the job's graph to
     * {@code env}. The caller executes it.
     */
    public static JobConfig build(StreamExecutionEnvironment env, String... args) {
        return build(env, UnaryOperator.identity(), args);
    }

    /**
     * As {@link #build(StreamExecutionEnvironment, String...)}, with the PostgreSQL sink passed
     * through {@code sinkDecorator} (tests use it to inject failures).
     */
    public static JobConfig build(
            StreamExecutionEnvironment env,
            UnaryOperator<Sink<ChangeEvent>> sinkDecorator,
            String... args) {
        return build(env, sinkDecorator, UnaryOperator.identity(), args);
    }

    /** As above, with the ClickHouse sink (when configured) passed through its own decorator. */
    public static JobConfig build(
            StreamExecutionEnvironment env,
            UnaryOperator<Sink<ChangeEvent>> sinkDecorator,
            UnaryOperator<Sink<ChangeEvent>> clickHouseDecorator,
            String... args) {
        JobConfig config = JobConfig.parse(args, System.getenv());
        LOG.info("walflow parameters: {}", config.describe());
        List<TableInfo> tables = Preflight.run(config);
        configure(env, config);
        HistorySink history = config.get(HistoryOptions.ENABLED)
                ? new HistorySink(historyConfig(config), config.configuration().get(HistoryOptions.RETENTION))
                : null;
        ClickHouseConfig clickHouse = clickHouseConfig(config);
        Sink<ChangeEvent> clickHouseSink = null;
        CompleteRowFunction completeRows = null;
        if (clickHouse != null) {
            ClickHousePreflight.run(clickHouse, tables);
            if (clickHouse.exactlyOnce() && !config.configuration().contains(JobOptions.CHECKPOINT_DIR)) {
                LOG.warn("Exactly-once ClickHouse batches wait in the checkpoint until it completes; the JobManager's"
                        + " memory checkpoint storage takes 5 MB of state at most. Unless the cluster sets"
                        + " state.checkpoints.dir, set {} to a file system or object store.", JobOptions.CHECKPOINT_DIR.key());
            }
            Properties source = sourceConnectionProperties(config);
            clickHouseSink = clickHouseDecorator.apply(
                    new ClickHouseSink(clickHouse, new SourceCatalog(config.get(SourceOptions.URL), source, tables)));
            Duration ttl = config.configuration().get(ClickHouseOptions.ROW_STATE_TTL);
            if (ttl != null && (ttl.isZero() || ttl.isNegative())) {
                throw new InvalidConfigException("Invalid value '" + ttl + "' for parameter '"
                        + ClickHouseOptions.ROW_STATE_TTL.key() + "': a positive duration, or unset to keep row state");
            }
            completeRows = new CompleteRowFunction(
                    tables,
                    ttl,
                    new SourceRowLookup(config.get(SourceOptions.URL), source));
        }
        ReplicationTopology.build(
                env,
                safeLsn(SourceFactory.create(config, tables), config, history != null),
                config.get(SourceOptions.SNAPSHOT_PARALLELISM),
                new SourceHeartbeatFunction(
                        config.get(SourceOptions.URL),
                        sourceConnectionProperties(config),
                        config.get(SourceOptions.HEARTBEAT_INTERVAL),
                        config.get(SourceOptions.SLOT_NAME),
                        config.get(SourceOptions.SLOT_MAX_RETAINED_WAL).getBytes()),
                new ToastCompletionFunction(config.get(SourceOptions.URL), sourceConnectionProperties(config)),
                sinkDecorator.apply(new PostgresSink(sinkConfig(config))),
                config.get(SinkOptions.POSTGRES_PARALLELISM),
                history,
                completeRows,
                clickHouseSink);
        LOG.info("Capturing {} tables", tables.size());
        return config;
    }

    /**
     * Under exactly-once, the slot is confirmed only up to what every sink has committed (not
     * just prepared). At-least-once sinks commit before a checkpoint's barrier passes them, so
     * nothing is awaited. Either way the slot is checked before the stream starts (see
     * {@link SlotGuard}) and the confirmed position is a metric.
     */
    private static Source<ChangeEvent, ?, ?> safeLsn(
            Source<ChangeEvent, ?, ?> source, JobConfig config, boolean withHistory) {
        TargetConfig sink = sinkConfig(config);
        PendingCommits pending = new PendingCommits();
        if (sink.exactlyOnce()) {
            pending.add(sink, PostgresSink.NAME);
            if (withHistory) {
                pending.add(historyConfig(config), HistorySink.NAME);
            }
        }
        SlotGuard guard = new SlotGuard(
                config.get(SourceOptions.URL), sourceConnectionProperties(config), config.get(SourceOptions.SLOT_NAME));
        return wrap(source, pending, guard);
    }

    private static <S extends SourceSplit, E> Source<ChangeEvent, S, E> wrap(
            Source<ChangeEvent, S, E> source, PendingCommits pending, SlotGuard guard) {
        return new SafeLsnSource<>(source, pending, guard);
    }

    static void configure(StreamExecutionEnvironment env, JobConfig config) {
        env.enableCheckpointing(config.get(JobOptions.CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        checkpoints.setExternalizedCheckpointRetention(
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        checkpoints.setMaxConcurrentCheckpoints(1);
        if (config.configuration().contains(JobOptions.CHECKPOINT_DIR)) {
            checkpoints.setCheckpointStorage(config.get(JobOptions.CHECKPOINT_DIR));
        }
        // A field that would fall back to Kryo fails the job at start instead of at the first
        // record on a JDK that forbids Kryo's reflection.
        env.getConfig().disableGenericTypes();
        // Chained operators pass each change on instead of copying it (three copies per change
        // between the source and the keyBy otherwise). No function keeps or changes its input
        // once passed on: routing sets routeKey, which change_history does not read, and TRUNCATE
        // copies are made explicitly; keyed sinks receive their own deserialized copies.
        env.getConfig().enableObjectReuse();
    }

    /** How walflow's own connections to the source (checks, lookups, heartbeats) log in. */
    public static Properties sourceConnectionProperties(JobConfig config) {
        Properties p = new Properties();
        p.setProperty("user", config.get(SourceOptions.USERNAME));
        String password = config.configuration().get(SourceOptions.PASSWORD);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", "walflow");
        p.setProperty("connectTimeout", "10");
        return p;
    }

    public static TargetConfig sinkConfig(JobConfig config) {
        return new TargetConfig(
                config.get(SinkOptions.POSTGRES_URL),
                config.get(SinkOptions.POSTGRES_USERNAME),
                config.configuration().get(SinkOptions.POSTGRES_PASSWORD),
                config.get(SinkOptions.POSTGRES_BATCH_MAX_ROWS),
                config.get(SinkOptions.POSTGRES_BULK_UPSERT_MIN_ROWS),
                config.get(SinkOptions.POSTGRES_BATCH_INTERVAL),
                config.get(SinkOptions.POSTGRES_MAX_RETRIES),
                config.get(SinkOptions.DELIVERY_GUARANTEE),
                config.get(JobOptions.JOB_NAME),
                config.get(JobOptions.WALFLOW_SCHEMA),
                config.configuration().get(JobOptions.CHECKPOINT_DIR));
    }

    /**
     * The ClickHouse sink's settings, or null when {@code sink.clickhouse.url} is not set.
     * Reads the source's WAL position, the version of this run's snapshot rows.
     */
    public static ClickHouseConfig clickHouseConfig(JobConfig config) {
        Configuration c = config.configuration();
        if (!c.contains(ClickHouseOptions.URL)) {
            return null;
        }
        long snapshotVersion = ClickHousePreflight.walPosition(config.get(SourceOptions.URL), sourceConnectionProperties(config));
        return new ClickHouseConfig(
                c.get(ClickHouseOptions.URL),
                c.get(ClickHouseOptions.USERNAME),
                c.get(ClickHouseOptions.PASSWORD),
                c.get(ClickHouseOptions.DATABASE),
                c.get(ClickHouseOptions.CLUSTER),
                c.get(ClickHouseOptions.BATCH_MAX_ROWS),
                c.get(ClickHouseOptions.BATCH_MAX_BYTES).getBytes(),
                c.get(ClickHouseOptions.BATCH_INTERVAL),
                c.get(ClickHouseOptions.MAX_RETRIES),
                c.get(ClickHouseOptions.DEDUP_WINDOW),
                config.get(SinkOptions.DELIVERY_GUARANTEE),
                config.get(JobOptions.JOB_NAME),
                snapshotVersion);
    }

    /** The history database: its own URL and user where given, else the PostgreSQL target's. */
    public static TargetConfig historyConfig(JobConfig config) {
        Configuration c = config.configuration();
        return sinkConfig(config).withDatabase(
                c.getOptional(HistoryOptions.URL).orElse(config.get(SinkOptions.POSTGRES_URL)),
                c.getOptional(HistoryOptions.USERNAME).orElse(config.get(SinkOptions.POSTGRES_USERNAME)),
                c.getOptional(HistoryOptions.PASSWORD).orElse(c.get(SinkOptions.POSTGRES_PASSWORD)));
    }
}
