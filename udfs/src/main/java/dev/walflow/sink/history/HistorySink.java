package dev.walflow.sink.history;

import dev.walflow.model.ChangeEvent;
import dev.walflow.sink.txn.PreparedTransaction;
import dev.walflow.sink.txn.PreparedTransactionCommitter;
import dev.walflow.sink.txn.PreparedTransactionSerializer;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.sink.txn.WriterState;
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
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/** Sink of every change into the permanent {@code change_history} table. */
public final class HistorySink
        implements Sink<ChangeEvent>, SupportsCommitter<PreparedTransaction>, SupportsWriterState<ChangeEvent, WriterState> {

    private static final long serialVersionUID = 1L;

    private final TargetConfig config;
    private final Duration retention;

    /** @param retention how long rows are kept, or null to keep them all */
    public HistorySink(TargetConfig config, Duration retention) {
        this.config = config;
        this.retention = retention;
    }

    @Override
    public HistoryWriter createWriter(WriterInitContext context) throws IOException {
        return new HistoryWriter(config, retention, context, List.of());
    }

    @Override
    public StatefulSinkWriter<ChangeEvent, WriterState> restoreWriter(
            WriterInitContext context, Collection<WriterState> recoveredState) throws IOException {
        return new HistoryWriter(config, retention, context, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<WriterState> getWriterStateSerializer() {
        return new WriterState.Serializer();
    }

    @Override
    public Committer<PreparedTransaction> createCommitter(CommitterInitContext context) {
        return new PreparedTransactionCommitter(
                config.url(), config.connectionProperties(), config.walflowSchema(), HistoryWriter.SINK_NAME);
    }

    @Override
    public SimpleVersionedSerializer<PreparedTransaction> getCommittableSerializer() {
        return new PreparedTransactionSerializer();
    }

    @Override
    @Deprecated
    public SinkWriter<ChangeEvent> createWriter(InitContext context) {
        throw new UnsupportedOperationException("Use createWriter(WriterInitContext)");
    }
}
