package dev.walflow.job.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;

/** Options of the PostgreSQL source: where to read, what to capture, how. */
public final class SourceOptions {

    private SourceOptions() {}

    public static final ConfigOption<String> URL =
            ConfigOptions.key("source.url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "JDBC URL of the source database, jdbc:postgresql://host:port/database.");

    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("source.username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "User with the REPLICATION attribute (or rds_replication) and SELECT on the captured tables.");

    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("source.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Password of source.username; may come from the environment variable WALFLOW_SOURCE_PASSWORD instead.");

    public static final ConfigOption<String> TABLES =
            ConfigOptions.key("source.tables")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Tables to capture, comma-separated, as schema.table (quote mixed-case names: public.\"Orders\"). Either this or source.schemas is required.");

    public static final ConfigOption<String> SCHEMAS =
            ConfigOptions.key("source.schemas")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Capture every table of these schemas (comma-separated), as found at start.");

    public static final ConfigOption<String> SLOT_NAME =
            ConfigOptions.key("source.slot-name")
                    .stringType()
                    .defaultValue("walflow")
                    .withDescription(
                            "Logical replication slot (pgoutput); created if missing.");

    public static final ConfigOption<String> PUBLICATION =
            ConfigOptions.key("source.publication")
                    .stringType()
                    .defaultValue("walflow")
                    .withDescription(
                            "Publication to read; created for exactly the captured tables if missing, used as it is otherwise.");

    public static final ConfigOption<Integer> SNAPSHOT_CHUNK_SIZE =
            ConfigOptions.key("source.snapshot.chunk-size")
                    .intType()
                    .defaultValue(1_000_000)
                    .withDescription(
                            "Rows per snapshot chunk. Each chunk costs a fixed setup (Flink CDC opens its connections and reads the table's schema again, then takes the watermarks; about 0.15 s on the development machine), so large chunks snapshot faster. A restart reads the chunk it was in again, and source.snapshot.parallelism readers can share a table only as far as it has chunks: lower this when raising that.");

    public static final ConfigOption<Integer> SNAPSHOT_PARALLELISM =
            ConfigOptions.key("source.snapshot.parallelism")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Source readers, each with its own connection to the source: snapshot chunks are read this many at a"
                                    + " time. The WAL stream is always read by one of them, after every chunk is written.");

    public static final ConfigOption<Integer> SNAPSHOT_FETCH_SIZE =
            ConfigOptions.key("source.snapshot.fetch-size")
                    .intType()
                    .defaultValue(5_000)
                    .withDescription("Rows fetched per round trip while reading a snapshot chunk.");

    public static final ConfigOption<Boolean> SNAPSHOT_COPY =
            ConfigOptions.key("source.snapshot.copy")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Read snapshot chunks with COPY ... TO STDOUT, whose text is already the form walflow carries, instead"
                                    + " of the connector's row-by-row conversion. Tables with a column type COPY prints differently"
                                    + " from the streamed value (money, interval, bit strings, time with time zone, enums and"
                                    + " other types, and arrays of them) keep the connector's read either way.");

    public static final ConfigOption<Duration> POLL_INTERVAL =
            ConfigOptions.key("source.poll-interval")
                    .durationType()
                    .defaultValue(Duration.ofMillis(20))
                    .withDescription(
                            "How long the source waits for a full batch of changes (2,048) before it passes on what it has."
                                    + " Debezium's own default, 500 ms, adds up to that much to every change's latency and"
                                    + " to the end of every snapshot chunk.");

    public static final ConfigOption<Duration> HEARTBEAT_INTERVAL =
            ConfigOptions.key("source.heartbeat.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "How often the source writes a logical-decoding message so that an idle database still advances the slot.");

    public static final ConfigOption<MemorySize> SLOT_MAX_RETAINED_WAL =
            ConfigOptions.key("source.slot.max-retained-wal")
                    .memoryType()
                    .defaultValue(MemorySize.parse("2gb"))
                    .withDescription(
                            "WAL the slot may hold back before walflow logs a warning and sets the walflow.slotRetainedWalOverLimit"
                                    + " metric to 1 (checked every source.heartbeat.interval). Set it well below the source's free disk"
                                    + " and its max_slot_wal_keep_size. 0 turns the warning off.");
}
