package dev.walflow.job.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/** Options of the job as a whole: name, checkpoints, walflow's own schema. */
public final class JobOptions {

    private JobOptions() {}

    public static final ConfigOption<String> JOB_NAME =
            ConfigOptions.key("job.name")
                    .stringType()
                    .defaultValue("walflow")
                    .withDescription(
                            "Name shown in the Flink web UI. Also names this job's prepared transactions and progress rows, so jobs sharing a target must differ in it (letters, digits, _ . -).");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            ConfigOptions.key("checkpoint.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "Checkpoint interval. The slot is confirmed when a checkpoint completes, so this bounds replay after a failure and the WAL the source keeps.");

    public static final ConfigOption<String> CHECKPOINT_DIR =
            ConfigOptions.key("checkpoint.dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Checkpoint storage URI (file:///..., s3://...). Unset: the cluster's configured storage. When set,"
                                    + " a cancelled job also reads here which of its prepared transactions to commit.");

    public static final ConfigOption<String> WALFLOW_SCHEMA =
            ConfigOptions.key("walflow.schema")
                    .stringType()
                    .defaultValue("walflow")
                    .withDescription(
                            "Schema of walflow's own tables (progress, change_history) in each target.");
}
