package dev.walflow.sink.postgres;

import dev.walflow.model.ChangeEvent;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.sink.txn.TransactionalSink;
import dev.walflow.sink.txn.TransactionalWriter;
import dev.walflow.sink.txn.WriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;
import java.util.Collection;

/**
 * Sink of change events into one target PostgreSQL database, all tables at once; exactly-once
 * with two-phase commit bound to checkpoints, or at-least-once.
 */
public final class PostgresSink extends TransactionalSink {

    private static final long serialVersionUID = 1L;

    /** Names this sink's transactions and progress rows. */
    public static final String NAME = "postgres";

    public PostgresSink(TargetConfig config) {
        super(config, NAME);
    }

    @Override
    protected TransactionalWriter<ChangeEvent> newWriter(WriterInitContext context, Collection<WriterState> restored)
            throws IOException {
        return new PostgresChangeWriter(config, context, restored);
    }
}
