package dev.walflow.sink.history;

import dev.walflow.model.ChangeEvent;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.sink.txn.TransactionalSink;
import dev.walflow.sink.txn.TransactionalWriter;
import dev.walflow.sink.txn.WriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;

/** Sink of every change into the permanent {@code change_history} table. */
public final class HistorySink extends TransactionalSink {

    private static final long serialVersionUID = 1L;

    /** Names this sink's transactions and progress rows. */
    public static final String NAME = "history";

    private final Duration retention;

    /** @param retention how long rows are kept, or null to keep them all */
    public HistorySink(TargetConfig config, Duration retention) {
        super(config, NAME);
        this.retention = retention;
    }

    @Override
    protected TransactionalWriter<ChangeEvent> newWriter(WriterInitContext context, Collection<WriterState> restored)
            throws IOException {
        return new HistoryWriter(config, retention, context, restored);
    }
}
