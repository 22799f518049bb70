package dev.walflow.job;

import dev.walflow.jdbc.Connections;
import dev.walflow.job.config.JobConfig;
import dev.walflow.job.config.SourceOptions;
import dev.walflow.model.ChangeEvent;
import dev.walflow.schema.TableInfo;
import dev.walflow.source.ChangeEventDeserializer;
import dev.walflow.source.PgTextConverter;
import dev.walflow.source.PostgresCdcSource;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.postgresql.Driver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/** Builds Flink CDC's PostgreSQL source for the captured tables. */
public final class SourceFactory {

    private SourceFactory() {}

    public static PostgresCdcSource<ChangeEvent> create(JobConfig config, List<TableInfo> tables) {
        return create(config, tables, new ChangeEventDeserializer(fullIdentityTables(tables)));
    }

    /** The same source with another deserializer (the benchmark measures the connector alone with it). */
    public static <T> PostgresCdcSource<T> create(
            JobConfig config, List<TableInfo> tables, DebeziumDeserializationSchema<T> deserializer) {
        Properties url = Driver.parseURL(config.get(SourceOptions.URL), null);
        if (url == null) {
            throw new IllegalArgumentException(
                    "Cannot parse " + SourceOptions.URL.key() + "=" + Connections.redact(config.get(SourceOptions.URL)));
        }
        Set<String> schemas = new LinkedHashSet<>();
        for (TableInfo table : tables) {
            schemas.add(table.id().schema());
        }
        String password = config.configuration().get(SourceOptions.PASSWORD);
        PostgresSourceBuilder<T> builder = PostgresSourceBuilder.PostgresIncrementalSource.<T>builder()
                .hostname(url.getProperty("PGHOST"))
                .port(Integer.parseInt(url.getProperty("PGPORT", "5432")))
                .database(url.getProperty("PGDBNAME"))
                .schemaList(schemas.toArray(new String[0]))
                .tableList(tableFilters(tables))
                .username(config.get(SourceOptions.USERNAME))
                .password(password == null ? "" : password)
                .slotName(config.get(SourceOptions.SLOT_NAME))
                .decodingPluginName("pgoutput")
                .startupOptions(StartupOptions.initial())
                .splitSize(config.get(SourceOptions.SNAPSHOT_CHUNK_SIZE))
                .fetchSize(config.get(SourceOptions.SNAPSHOT_FETCH_SIZE))
                .heartbeatInterval(config.get(SourceOptions.HEARTBEAT_INTERVAL))
                // Without backfill every change after a chunk's low watermark is emitted as a
                // change (so history sees it) instead of being folded into the snapshot row, and
                // key-less tables are not collapsed to one row per (null) key.
                .skipSnapshotBackfill(true)
                // Confirm a checkpoint's LSN to the slot as soon as the checkpoint completes: the
                // sinks have written everything before it by then.
                .lsnCommitCheckpointsDelay(0)
                .serverTimeZone("UTC")
                .debeziumProperties(debeziumProperties(config))
                .deserializer(deserializer);
        return PostgresCdcSource.of(builder, deserializer, config.get(SourceOptions.SNAPSHOT_COPY));
    }

    /**
     * Debezium's {@code table.include.list}: one regular expression per schema naming all its
     * captured tables. Debezium matches every WAL message's table against each entry in turn,
     * so one entry per table made that cost grow with the table count (13.5 % of the WAL
     * reader thread with eight tables, BENCHMARKS.md).
     */
    static String[] tableFilters(List<TableInfo> tables) {
        Map<String, List<String>> bySchema = new LinkedHashMap<>();
        for (TableInfo table : tables) {
            bySchema.computeIfAbsent(table.id().schema(), s -> new ArrayList<>()).add(regexLiteral(table.id().name()));
        }
        List<String> filters = new ArrayList<>();
        bySchema.forEach((schema, names) ->
                filters.add(regexLiteral(schema) + "\\.(?:" + String.join("|", names) + ")"));
        return filters.toArray(new String[0]);
    }

    private static Set<String> fullIdentityTables(List<TableInfo> tables) {
        Set<String> full = new LinkedHashSet<>();
        for (TableInfo t : tables) {
            if (t.replicaIdentity() == TableInfo.ReplicaIdentity.FULL) {
                full.add(t.id().eventName());
            }
        }
        return full;
    }

    static Properties debeziumProperties(JobConfig config) {
        Properties p = new Properties();
        p.setProperty("publication.name", config.get(SourceOptions.PUBLICATION));
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("truncate.handling.mode", "include");
        p.setProperty("include.unknown.datatypes", "true");
        p.setProperty("converters", "walflow");
        p.setProperty("walflow.type", PgTextConverter.class.getName());
        // walflow writes its own heartbeat messages (SourceHeartbeat); Debezium's heartbeat
        // then confirms their positions. Tombstones after deletes are noise to walflow.
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("slot.drop.on.stop", "false");
        // Debezium's queue hands over a batch only once it holds 2,048 changes or this long has
        // passed: at its default of 500 ms, that was most of at-least-once latency (p50 440 ms →
        // 170 ms at 20 ms) and a pause at the end of every snapshot chunk (BENCHMARKS.md).
        p.setProperty("poll.interval.ms", String.valueOf(config.get(SourceOptions.POLL_INTERVAL).toMillis()));
        return p;
    }

    private static String regexLiteral(String name) {
        StringBuilder sb = new StringBuilder();
        for (char c : name.toCharArray()) {
            if ("\\.[]{}()<>*+-=!?^$|,".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
