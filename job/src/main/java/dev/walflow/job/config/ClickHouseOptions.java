package dev.walflow.job.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;

/** Options of the ClickHouse sink, which is on when {@code sink.clickhouse.url} is set. */
public final class ClickHouseOptions {

    private ClickHouseOptions() {}

    public static final ConfigOption<String> URL =
            ConfigOptions.key("sink.clickhouse.url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "JDBC URL of ClickHouse (jdbc:clickhouse:http://host:8123). Set, every captured table with a primary key is copied into a ReplacingMergeTree table.");

    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("sink.clickhouse.username")
                    .stringType()
                    .defaultValue("default")
                    .withDescription("ClickHouse user.");

    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("sink.clickhouse.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Password of sink.clickhouse.username; may come from WALFLOW_SINK_CLICKHOUSE_PASSWORD.");

    public static final ConfigOption<String> DATABASE =
            ConfigOptions.key("sink.clickhouse.database")
                    .stringType()
                    .defaultValue("walflow")
                    .withDescription("ClickHouse database of the copies (created if missing).");

    public static final ConfigOption<Integer> BATCH_MAX_ROWS =
            ConfigOptions.key("sink.clickhouse.batch.max-rows")
                    .intType()
                    .defaultValue(20_000)
                    .withDescription("Rows per INSERT at most.");

    public static final ConfigOption<MemorySize> BATCH_MAX_BYTES =
            ConfigOptions.key("sink.clickhouse.batch.max-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("8 mb"))
                    .withDescription("Size of an INSERT's values at most.");

    public static final ConfigOption<Duration> BATCH_INTERVAL =
            ConfigOptions.key("sink.clickhouse.batch.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "At-least-once: longest time a row waits before its INSERT. Exactly-once inserts when the checkpoint completes.");

    public static final ConfigOption<Integer> MAX_RETRIES =
            ConfigOptions.key("sink.clickhouse.max-retries")
                    .intType()
                    .defaultValue(3)
                    .withDescription("Retries of a failed INSERT before the job restarts from its last checkpoint.");

    public static final ConfigOption<Integer> DEDUP_WINDOW =
            ConfigOptions.key("sink.clickhouse.dedup-window")
                    .intType()
                    .defaultValue(1000)
                    .withDescription(
                            "Deduplication window (inserts remembered per table) of created tables, so a retried INSERT is stored once.");

    public static final ConfigOption<String> CLUSTER =
            ConfigOptions.key("sink.clickhouse.cluster")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "ClickHouse cluster name. Set: DDL runs ON CLUSTER, tables are ReplicatedReplacingMergeTree (<table>_local) behind a Distributed table.");

    public static final ConfigOption<Duration> ROW_STATE_TTL =
            ConfigOptions.key("sink.clickhouse.row-state.ttl")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "How long the last values of a row's variable-length columns are kept in Flink state to complete updates whose unchanged TOAST values the WAL omits. Unset: kept while the row exists. Expired: read from the source.");
}
