package dev.walflow.source;

import dev.walflow.model.Position;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * A deserializer that takes each streamed row change's {@link Position} from the
 * {@link ChangeRecordEmitter}, which places changes once for both the output and the
 * checkpointed offset.
 */
public interface PositionedDeserializer<T> extends DebeziumDeserializationSchema<T> {

    /** Deserializes a streamed row change that stands at {@code position}. */
    void deserialize(SourceRecord record, Position position, Collector<T> out) throws Exception;
}
