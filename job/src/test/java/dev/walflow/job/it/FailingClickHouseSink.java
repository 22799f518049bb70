package dev.walflow.job.it;

import dev.walflow.model.ChangeEvent;
import dev.walflow.sink.clickhouse.ClickHouseBatch;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wraps the ClickHouse sink and fails its committer once, half way: the first batch of a
 * checkpoint with several is inserted, then the commit fails. The restored checkpoint hands
 * the same batches over again, so the first one reaches ClickHouse twice.
 */
final class FailingClickHouseSink implements Sink<ChangeEvent>, SupportsCommitter<ClickHouseBatch> {

    private static final long serialVersionUID = 1L;

    static final AtomicBoolean FAILED = new AtomicBoolean();
    /** Set by the test when the failure may happen (e.g. once the snapshot is in). */
    static final AtomicBoolean ARMED = new AtomicBoolean();

    private final Sink<ChangeEvent> delegate;

    FailingClickHouseSink(Sink<ChangeEvent> delegate) {
        this.delegate = delegate;
    }

    @SuppressWarnings("unchecked")
    private SupportsCommitter<ClickHouseBatch> committing() {
        return (SupportsCommitter<ClickHouseBatch>) delegate;
    }

    @Override
    public SinkWriter<ChangeEvent> createWriter(WriterInitContext context) throws IOException {
        return delegate.createWriter(context);
    }

    @Override
    public Committer<ClickHouseBatch> createCommitter(CommitterInitContext context) throws IOException {
        Committer<ClickHouseBatch> committer = committing().createCommitter(context);
        return new Committer<>() {
            @Override
            public void commit(Collection<CommitRequest<ClickHouseBatch>> requests) throws IOException, InterruptedException {
                if (ARMED.get() && requests.size() >= 2 && FAILED.compareAndSet(false, true)) {
                    List<CommitRequest<ClickHouseBatch>> first = new ArrayList<>(requests).subList(0, 1);
                    committer.commit(first);
                    throw new IllegalStateException("Injected failure after the first of " + requests.size() + " ClickHouse batches");
                }
                committer.commit(requests);
            }

            @Override
            public void close() throws Exception {
                committer.close();
            }
        };
    }

    @Override
    public SimpleVersionedSerializer<ClickHouseBatch> getCommittableSerializer() {
        return committing().getCommittableSerializer();
    }

    @Override
    @Deprecated
    public SinkWriter<ChangeEvent> createWriter(InitContext context) {
        throw new UnsupportedOperationException();
    }
}
