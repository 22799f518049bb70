package dev.walflow.source;

import org.apache.flink.cdc.connectors.base.config.SourceConfig;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceRecords;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitState;
import org.apache.flink.cdc.connectors.base.source.metrics.SourceReaderMetrics;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.connectors.postgres.source.config.PostgresSourceConfigFactory;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffsetFactory;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/**
 * Flink CDC's incremental PostgreSQL source, emitting through {@link ChangeRecordEmitter}, with
 * snapshot chunks read by {@link WalflowPostgresDialect}'s tasks.
 * Built from a configured {@link PostgresSourceBuilder}, as its own {@code build()} does.
 */
public final class PostgresCdcSource<T> extends PostgresSourceBuilder.PostgresIncrementalSource<T> {

    private static final long serialVersionUID = 1L;

    private PostgresCdcSource(
            PostgresSourceConfigFactory configFactory, DebeziumDeserializationSchema<T> deserializer, boolean copySnapshot) {
        super(configFactory, deserializer, new PostgresOffsetFactory(),
                new WalflowPostgresDialect(configFactory.create(0), copySnapshot));
    }

    /**
     * @param deserializer the one the builder was given (the builder does not hand it out)
     * @param copySnapshot read snapshot chunks with COPY where the table allows ({@link CopySnapshotFetchTask})
     */
    public static <T> PostgresCdcSource<T> of(
            PostgresSourceBuilder<T> builder, DebeziumDeserializationSchema<T> deserializer, boolean copySnapshot) {
        return new PostgresCdcSource<>(builder.getConfigFactory(), deserializer, copySnapshot);
    }

    @Override
    protected RecordEmitter<SourceRecords, T, SourceSplitState> createRecordEmitter(
            SourceConfig sourceConfig, SourceReaderMetrics sourceReaderMetrics) {
        return new ChangeRecordEmitter<>(
                deserializationSchema, sourceReaderMetrics, sourceConfig.isIncludeSchemaChanges(), offsetFactory);
    }
}
