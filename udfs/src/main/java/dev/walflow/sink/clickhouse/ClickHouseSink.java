package dev.walflow.sink.clickhouse;

import dev.walflow.model.ChangeEvent;
import dev.walflow.source.SourceCatalog;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.InstantiationUtil;

import java.io.IOException;

/**
 * Sink of complete rows (see {@link CompleteRowFunction}) into ClickHouse tables: versioned
 * inserts into ReplacingMergeTree, exactly once through checkpoint-bound inserts with
 * deduplication tokens, or at least once.
 */
public final class ClickHouseSink implements Sink<ChangeEvent>, SupportsCommitter<ClickHouseBatch> {

    private static final long serialVersionUID = 1L;

    private final ClickHouseConfig config;
    private final SourceCatalog catalog;

    /** @param catalog the captured tables' definitions, and where to read new columns' types */
    public ClickHouseSink(ClickHouseConfig config, SourceCatalog catalog) {
        this.config = config;
        this.catalog = catalog;
    }

    @Override
    public CommittingSinkWriter<ChangeEvent, ClickHouseBatch> createWriter(WriterInitContext context) {
        return new ClickHouseWriter(config, copy(catalog), context);
    }

    @Override
    public Committer<ClickHouseBatch> createCommitter(CommitterInitContext context) {
        return new ClickHouseCommitter(config, copy(catalog));
    }

    /** Writer and committer each keep their own catalog (and its connection). */
    private static SourceCatalog copy(SourceCatalog catalog) {
        try {
            return InstantiationUtil.clone(catalog);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("Cannot copy the source catalog", e);
        }
    }

    @Override
    public SimpleVersionedSerializer<ClickHouseBatch> getCommittableSerializer() {
        return new ClickHouseBatchSerializer();
    }

    @Override
    @Deprecated
    public SinkWriter<ChangeEvent> createWriter(InitContext context) {
        throw new UnsupportedOperationException("Flink 1.20 creates writers with a WriterInitContext");
    }
}
