package dev.walflow.job.it;

import dev.walflow.model.ChangeEvent;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a sink and throws once, after a given number of changes, to inject a task failure. The
 * trigger is static: the MiniCluster runs in the test's JVM and the restarted task must not
 * fail again.
 */
final class FailingSink implements Sink<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    static final AtomicLong SEEN = new AtomicLong();
    static final AtomicBoolean FAILED = new AtomicBoolean();

    private final Sink<ChangeEvent> delegate;
    private final long failAfter;

    FailingSink(Sink<ChangeEvent> delegate, long failAfter) {
        this.delegate = delegate;
        this.failAfter = failAfter;
    }

    static void reset() {
        SEEN.set(0);
        FAILED.set(false);
    }

    @Override
    public SinkWriter<ChangeEvent> createWriter(WriterInitContext context) throws IOException {
        SinkWriter<ChangeEvent> writer = delegate.createWriter(context);
        return new SinkWriter<>() {
            @Override
            public void write(ChangeEvent element, Context ctx) throws IOException, InterruptedException {
                if (SEEN.incrementAndGet() >= failAfter && FAILED.compareAndSet(false, true)) {
                    throw new IllegalStateException("Injected failure after " + failAfter + " changes");
                }
                writer.write(element, ctx);
            }

            @Override
            public void flush(boolean endOfInput) throws IOException, InterruptedException {
                writer.flush(endOfInput);
            }

            @Override
            public void close() throws Exception {
                writer.close();
            }
        };
    }

    @Override
    @Deprecated
    public SinkWriter<ChangeEvent> createWriter(InitContext context) {
        throw new UnsupportedOperationException();
    }
}
