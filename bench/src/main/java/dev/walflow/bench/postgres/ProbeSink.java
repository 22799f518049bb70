package dev.walflow.bench.postgres;

import dev.walflow.model.ChangeEvent;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/** Stands in for walflow's PostgreSQL sink: reports each change to {@link StageProbe} and drops it. */
final class ProbeSink implements Sink<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<ChangeEvent> createWriter(InitContext context) {
        return new SinkWriter<>() {
            @Override
            public void write(ChangeEvent event, Context context) throws InterruptedException {
                StageProbe.seen(event.table, event.key.length == 1 ? event.key[0] : null);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
