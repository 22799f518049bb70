package dev.walflow.sink.postgres;

import dev.walflow.model.ChangeEvent;
import dev.walflow.sink.txn.PreparedTransaction;
import dev.walflow.sink.txn.PreparedTransactionCommitter;
import dev.walflow.sink.txn.PreparedTransactionSerializer;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.sink.txn.WriterState;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * Sink of change events into one target PostgreSQL database, all tables at once; exactly-once
 * with two-phase commit bound to checkpoints, or at-least-once.
 */
public final class PostgresSink
        implements Sink<ChangeEvent>, SupportsCommitter<PreparedTransaction>, SupportsWriterState<ChangeEvent, WriterState> {

    private static final long serialVersionUID = 1L;

    private final TargetConfig config;

    public PostgresSink(TargetConfig config) {
        this.config = config;
    }

    @Override
    public PostgresChangeWriter createWriter(WriterInitContext context) throws IOException {
        return new PostgresChangeWriter(config, context, List.of());
    }

    @Override
    public StatefulSinkWriter<ChangeEvent, WriterState> restoreWriter(
            WriterInitContext context, Collection<WriterState> recoveredState) throws IOException {
        return new PostgresChangeWriter(config, context, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<WriterState> getWriterStateSerializer() {
        return new WriterState.Serializer();
    }

    @Override
    public Committer<PreparedTransaction> createCommitter(CommitterInitContext context) {
        return new PreparedTransactionCommitter(
                config.url(), config.connectionProperties(), config.walflowSchema(), PostgresChangeWriter.SINK_NAME);
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
