package dev.walflow.sink.txn;

import dev.walflow.metrics.CommitMetrics;
import dev.walflow.model.ChangeEvent;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * A sink whose writer is a {@link TransactionalWriter}: writer state, committables and the
 * committer of prepared transactions are the same for every walflow PostgreSQL sink.
 */
public abstract class TransactionalSink
        implements Sink<ChangeEvent>, SupportsCommitter<PreparedTransaction>, SupportsWriterState<ChangeEvent, WriterState> {

    private static final long serialVersionUID = 1L;

    protected final TargetConfig config;
    private final String sinkName;

    protected TransactionalSink(TargetConfig config, String sinkName) {
        this.config = config;
        this.sinkName = sinkName;
    }

    /** A writer starting from the given restored state (empty on a fresh start). */
    protected abstract TransactionalWriter<ChangeEvent> newWriter(
            WriterInitContext context, Collection<WriterState> restored) throws IOException;

    @Override
    public SinkWriter<ChangeEvent> createWriter(WriterInitContext context) throws IOException {
        return newWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<ChangeEvent, WriterState> restoreWriter(
            WriterInitContext context, Collection<WriterState> recoveredState) throws IOException {
        return newWriter(context, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<WriterState> getWriterStateSerializer() {
        return new WriterState.Serializer();
    }

    @Override
    public Committer<PreparedTransaction> createCommitter(CommitterInitContext context) {
        return new PreparedTransactionCommitter(
                config.url(), config.connectionProperties(), config.walflowSchema(), sinkName,
                new CommitMetrics(context.metricGroup()));
    }

    @Override
    public SimpleVersionedSerializer<PreparedTransaction> getCommittableSerializer() {
        return new PreparedTransactionSerializer();
    }

    /** Flink 1.20 still declares the old signature; the runtime calls the one above. */
    @Override
    @Deprecated
    public SinkWriter<ChangeEvent> createWriter(InitContext context) {
        throw new UnsupportedOperationException("Use createWriter(WriterInitContext)");
    }
}
