package dev.walflow.job.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/** Options of the permanent {@code change_history} table. */
public final class HistoryOptions {

    private HistoryOptions() {}

    public static final ConfigOption<Boolean> ENABLED =
            ConfigOptions.key("history.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Record every captured change in <walflow.schema>.change_history.");

    public static final ConfigOption<String> URL =
            ConfigOptions.key("history.url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("JDBC URL of the database holding change_history. Unset: the PostgreSQL target (sink.postgres.url).");

    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("history.username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("User for history.url. Unset: sink.postgres.username.");

    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("history.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Password of history.username; may come from WALFLOW_HISTORY_PASSWORD. Unset: sink.postgres.password.");

    public static final ConfigOption<Duration> RETENTION =
            ConfigOptions.key("history.retention")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "Delete history rows older than this (e.g. 30 d). Unset: keep all. Rows a registered client has not acknowledged are kept.");
}
