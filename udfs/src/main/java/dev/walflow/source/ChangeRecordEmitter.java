package dev.walflow.source;

import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.cdc.connectors.base.source.meta.offset.OffsetFactory;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitState;
import org.apache.flink.cdc.connectors.base.source.metrics.SourceReaderMetrics;
import org.apache.flink.cdc.connectors.base.source.reader.IncrementalSourceRecordEmitter;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Flink CDC's record emitter with a short path for row changes, which are nearly every record.
 * The inherited emitter first asks whether each record is a schema change with
 * {@code String.matches}, compiling a regular expression per record (13 % of the source thread
 * in the streaming profile, BENCHMARKS.md). A row change is recognised here by its Debezium
 * envelope schema name and handled as the inherited emitter handles it: the stream split's
 * position advances to it, the fetch-delay metric is reported, and it is deserialized.
 * Everything else (watermarks, heartbeats, schema changes) takes the inherited path.
 */
public final class ChangeRecordEmitter<T> extends IncrementalSourceRecordEmitter<T> {

    /** Debezium names a row change's value schema {@code <topic>.Envelope}. */
    private static final String ENVELOPE_SUFFIX = ".Envelope";

    public ChangeRecordEmitter(
            DebeziumDeserializationSchema<T> deserializer,
            SourceReaderMetrics metrics,
            boolean includeSchemaChanges,
            OffsetFactory offsetFactory) {
        super(deserializer, metrics, includeSchemaChanges, offsetFactory);
    }

    @Override
    protected void processElement(SourceRecord element, SourceOutput<T> output, SourceSplitState splitState)
            throws Exception {
        if (!isRowChange(element)) {
            super.processElement(element, output, splitState);
            return;
        }
        if (splitState.isStreamSplitState()) {
            splitState.asStreamSplitState().setStartingOffset(getOffsetPosition(element));
        }
        reportMetrics(element);
        emitElement(element, output);
    }

    static boolean isRowChange(SourceRecord record) {
        Schema schema = record.valueSchema();
        if (schema == null || record.value() == null) {
            return false;
        }
        String name = schema.name();
        return name != null && name.endsWith(ENVELOPE_SUFFIX) && schema.field("op") != null;
    }
}
