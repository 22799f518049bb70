package dev.walflow.source;

import org.apache.flink.util.Collector;

/** A deserializer that also takes the snapshot rows {@link CopyChunkReader} has already built. */
public interface SnapshotRowDeserializer<T> {

    void deserialize(SnapshotRow row, Collector<T> out) throws Exception;
}
