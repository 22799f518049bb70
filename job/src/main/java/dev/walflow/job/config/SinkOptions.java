package dev.walflow.job.config;

import dev.walflow.sink.DeliveryGuarantee;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/** Options of the PostgreSQL target. */
public final class SinkOptions {

    private SinkOptions() {}

    public static final ConfigOption<DeliveryGuarantee> DELIVERY_GUARANTEE =
            ConfigOptions.key("sink.delivery-guarantee")
                    .enumType(DeliveryGuarantee.class)
                    .defaultValue(DeliveryGuarantee.EXACTLY_ONCE)
                    .withDescription("How changes reach the PostgreSQL target and change_history after a failure.");

    public static final ConfigOption<String> POSTGRES_URL =
            ConfigOptions.key("sink.postgres.url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "JDBC URL of the target database, jdbc:postgresql://host:port/database.");

    public static final ConfigOption<String> POSTGRES_USERNAME =
            ConfigOptions.key("sink.postgres.username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Target user; needs CREATE on the target schemas for missing tables.");

    public static final ConfigOption<String> POSTGRES_PASSWORD =
            ConfigOptions.key("sink.postgres.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Password of sink.postgres.username; may come from the environment variable WALFLOW_SINK_POSTGRES_PASSWORD instead.");

    public static final ConfigOption<Integer> POSTGRES_BATCH_MAX_ROWS =
            ConfigOptions.key("sink.postgres.batch.max-rows")
                    .intType()
                    .defaultValue(5_000)
                    .withDescription(
                            "Rows buffered per sink subtask before they are written. A full batch is written by the subtask's writer thread while the next one fills; when that one is full too, the stream waits (backpressure), so a subtask holds at most two batches.");

    public static final ConfigOption<Integer> POSTGRES_BULK_UPSERT_MIN_ROWS =
            ConfigOptions.key("sink.postgres.bulk-upsert.min-rows")
                    .intType()
                    .defaultValue(500)
                    .withDescription(
                            "Whole-row upserts of one table in a batch from which on they go to the target as one INSERT ... SELECT FROM unnest(...) statement (a snapshot, bulk inserts) instead of bound rows.");

    public static final ConfigOption<Duration> POSTGRES_BATCH_INTERVAL =
            ConfigOptions.key("sink.postgres.batch.interval")
                    .durationType()
                    .defaultValue(Duration.ofMillis(500))
                    .withDescription("Longest time a buffered change waits before it is written.");

    public static final ConfigOption<Integer> POSTGRES_PARALLELISM =
            ConfigOptions.key("sink.postgres.parallelism")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Parallel sink subtasks; rows are spread by (table, primary key), so each row keeps its order.");

    public static final ConfigOption<Integer> POSTGRES_MAX_RETRIES =
            ConfigOptions.key("sink.postgres.max-retries")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Times a failed batch is retried on a fresh connection before the job fails and restarts from its last checkpoint.");
}
