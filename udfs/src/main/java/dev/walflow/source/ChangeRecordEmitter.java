package dev.walflow.source;

import dev.walflow.model.Position;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.cdc.connectors.base.source.meta.offset.Offset;
import org.apache.flink.cdc.connectors.base.source.meta.offset.OffsetFactory;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitState;
import org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplitState;
import org.apache.flink.cdc.connectors.base.source.metrics.SourceReaderMetrics;
import org.apache.flink.cdc.connectors.base.source.reader.IncrementalSourceRecordEmitter;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.util.HashMap;
import java.util.Map;

import static org.apache.flink.cdc.connectors.base.utils.SourceRecordUtils.getMessageTimestamp;
import static org.apache.flink.cdc.connectors.base.utils.SourceRecordUtils.isHeartbeatEvent;

/**
 * Flink CDC's record emitter, with walflow's stream positions and resumable offsets.
 *
 * <p>Each streamed row change is placed at its {@link Position} here, once, and the stream
 * split's offset after it is written by {@link ResumeOffsets}, so that a restore replays the
 * change's transaction from its start instead of trusting Debezium's search by LSN. Replayed
 * changes at or before the offset's position were emitted before the checkpoint and are
 * dropped; since positions only grow along the stream, that test needs no other state.
 *
 * <p>Snapshot rows read with COPY ({@link SnapshotRow}) arrive as events already and go
 * straight to the deserializer. Row changes, nearly every record, take a short path: the
 * inherited emitter first asks whether each record is a schema change with {@code
 * String.matches}, compiling a regular expression per record (13 % of the source thread in the
 * streaming profile, BENCHMARKS.md). Everything else (watermarks, heartbeats, schema changes,
 * the connector's snapshot rows' bookkeeping) takes the inherited path.
 */
public final class ChangeRecordEmitter<T> extends IncrementalSourceRecordEmitter<T> {

    /** Debezium names a row change's value schema {@code <topic>.Envelope}. */
    private static final String ENVELOPE_SUFFIX = ".Envelope";

    private static final Schema COUNTER_SOURCE = SchemaBuilder.struct()
            .field("db", Schema.OPTIONAL_STRING_SCHEMA)
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .build();
    private static final Schema COUNTER_VALUE = SchemaBuilder.struct()
            .name("walflow.snapshot" + ENVELOPE_SUFFIX)
            .field("op", Schema.STRING_SCHEMA)
            .field("source", COUNTER_SOURCE)
            .build();

    /** Per table (schema.table), the record {@link #snapshotCounterRecord} hands the metrics. */
    private Map<String, SourceRecord> snapshotCounterRecords;

    private StreamPositions positions;
    /** The stream split state the positions follow; a split assigned again starts afresh. */
    private StreamSplitState positionsFor;
    /** The stream split's offset as last read or written here, and the position it names. */
    private Offset knownOffset;
    private Position emittedThrough;

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
        if (element.value() instanceof SnapshotRow) {
            emitSnapshotRow((SnapshotRow) element.value(), output);
            return;
        }
        boolean rowChange = isRowChange(element);
        if (!splitState.isStreamSplitState()) {
            if (rowChange) {
                reportMetrics(element);
                emitElement(element, output);
            } else {
                super.processElement(element, output, splitState);
            }
            return;
        }
        StreamSplitState stream = splitState.asStreamSplitState();
        if (!rowChange) {
            Offset before = stream.getStartingOffset();
            super.processElement(element, output, splitState);
            if (stream.getStartingOffset() != before && isHeartbeatEvent(element)) {
                Map<String, String> after = ResumeOffsets.afterHeartbeat(
                        element.sourceOffset(), before == null ? null : before.getOffset());
                stream.setStartingOffset(after == null ? before : offsetFactory.newOffset(after));
            }
            return;
        }
        if (stream != positionsFor) {
            // A (re)assigned split replays from its offset, so the numbering of changes that
            // share an LSN starts again as it did when they were first read.
            positions = new StreamPositions();
            positionsFor = stream;
        }
        Position position = positions.next(((Struct) element.value()).getStruct("source"));
        Position through = emittedThrough(stream.getStartingOffset());
        if (through != null && position.compareTo(through) <= 0) {
            return; // replayed after a restore: the checkpoint already holds it
        }
        knownOffset = offsetFactory.newOffset(ResumeOffsets.afterChange(element.sourceOffset(), position));
        emittedThrough = position;
        stream.setStartingOffset(knownOffset);
        reportMetrics(element);
        if (debeziumDeserializationSchema instanceof PositionedDeserializer) {
            // What emitElement does, handing the deserializer the position.
            sourceReaderMetrics.markRecord();
            sourceReaderMetrics.updateRecordCounters(element);
            outputCollector.output = output;
            outputCollector.currentMessageTimestamp = getMessageTimestamp(element);
            ((PositionedDeserializer<T>) debeziumDeserializationSchema).deserialize(element, position, outputCollector);
        } else {
            emitElement(element, output);
        }
    }

    @SuppressWarnings("unchecked")
    private void emitSnapshotRow(SnapshotRow row, SourceOutput<T> output) throws Exception {
        if (!(debeziumDeserializationSchema instanceof SnapshotRowDeserializer)) {
            throw new IllegalStateException("Snapshot rows read with COPY need a deserializer that implements "
                    + SnapshotRowDeserializer.class.getSimpleName() + "; "
                    + debeziumDeserializationSchema.getClass().getName() + " does not");
        }
        sourceReaderMetrics.markRecord();
        sourceReaderMetrics.updateRecordCounters(snapshotCounterRecord(row));
        outputCollector.output = output;
        outputCollector.currentMessageTimestamp = null;
        ((SnapshotRowDeserializer<T>) debeziumDeserializationSchema).deserialize(row, outputCollector);
    }

    /**
     * A stand-in record per table that the connector's metrics count as one snapshot row of it
     * ({@code numSnapshotRecords}, per table and in all), as they count the rows it reads itself.
     */
    private SourceRecord snapshotCounterRecord(SnapshotRow row) {
        if (snapshotCounterRecords == null) {
            snapshotCounterRecords = new HashMap<>();
        }
        return snapshotCounterRecords.computeIfAbsent(row.event().table, t -> {
            int dot = t.indexOf('.');
            Struct source = new Struct(COUNTER_SOURCE)
                    .put("db", row.database())
                    .put("schema", t.substring(0, dot))
                    .put("table", t.substring(dot + 1));
            Struct value = new Struct(COUNTER_VALUE).put("op", "r").put("source", source);
            return new SourceRecord(Map.of(), Map.of(), t, null, null, null, COUNTER_VALUE, value);
        });
    }

    private Position emittedThrough(Offset offset) {
        if (offset != knownOffset) {
            knownOffset = offset;
            emittedThrough = offset == null || offset.getOffset() == null
                    ? null
                    : ResumeOffsets.emittedThrough(offset.getOffset());
        }
        return emittedThrough;
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
