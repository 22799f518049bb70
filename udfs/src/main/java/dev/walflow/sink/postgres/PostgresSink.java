package dev.walflow.sink.postgres;

import dev.walflow.model.ChangeEvent;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** Sink of change events into one target PostgreSQL database, all tables at once. */
public final class PostgresSink implements Sink<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    private final PostgresSinkConfig config;

    public PostgresSink(PostgresSinkConfig config) {
        this.config = config;
    }

    @Override
    public SinkWriter<ChangeEvent> createWriter(WriterInitContext context) {
        return new PostgresChangeWriter(config, context);
    }

    /** Flink 1.20 still declares the old signature; the runtime calls the one above. */
    @Override
    @Deprecated
    public SinkWriter<ChangeEvent> createWriter(InitContext context) {
        throw new UnsupportedOperationException("Use createWriter(WriterInitContext)");
    }
}
