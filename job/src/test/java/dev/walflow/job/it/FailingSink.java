package dev.walflow.job.it;

import dev.walflow.model.ChangeEvent;
import dev.walflow.sink.txn.PreparedTransaction;
import dev.walflow.sink.txn.WriterState;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps walflow's PostgreSQL sink and fails once: in the writer after a number of changes, or
 * in the committer after its transaction was prepared and before it is committed. Or it only
 * delays commits by {@link #COMMIT_DELAY_MILLIS}, like a slow target. The triggers are static:
 * the MiniCluster runs in the test's JVM, the restarted task must not fail again, and a test
 * changes the delay while the job runs.
 */
final class FailingSink
        implements Sink<ChangeEvent>, SupportsCommitter<PreparedTransaction>, SupportsWriterState<ChangeEvent, WriterState> {

    private static final long serialVersionUID = 1L;

    static final AtomicLong SEEN = new AtomicLong();
    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicBoolean COMMIT_FAILED = new AtomicBoolean();
    static final AtomicLong COMMIT_DELAY_MILLIS = new AtomicLong();
    /** Commits that began waiting out a delay. */
    static final AtomicLong DELAYED_COMMITS = new AtomicLong();
    /** While set, slow-commit sinks hold every commit back (a target lagging as long as a test needs). */
    static final AtomicBoolean HOLD_COMMITS = new AtomicBoolean();

    private final Sink<ChangeEvent> delegate;
    private final long failAfter;
    private final boolean failFirstCommit;
    private final boolean slowCommits;

    private FailingSink(Sink<ChangeEvent> delegate, long failAfter, boolean failFirstCommit, boolean slowCommits) {
        this.delegate = delegate;
        this.failAfter = failAfter;
        this.failFirstCommit = failFirstCommit;
        this.slowCommits = slowCommits;
    }

    /** Fails the writer once, after {@code failAfter} changes. */
    static FailingSink inWriter(Sink<ChangeEvent> delegate, long failAfter) {
        return new FailingSink(delegate, failAfter, false, false);
    }

    /** Fails the committer once, after at least {@code afterChanges} changes were written. */
    static FailingSink beforeCommit(Sink<ChangeEvent> delegate, long afterChanges) {
        return new FailingSink(delegate, afterChanges, true, false);
    }

    /** Never fails, but waits {@link #COMMIT_DELAY_MILLIS} before committing transactions. */
    static FailingSink slowCommits(Sink<ChangeEvent> delegate) {
        return new FailingSink(delegate, Long.MAX_VALUE, false, true);
    }

    static void reset() {
        SEEN.set(0);
        FAILED.set(false);
        COMMIT_FAILED.set(false);
        COMMIT_DELAY_MILLIS.set(0);
        DELAYED_COMMITS.set(0);
        HOLD_COMMITS.set(false);
    }

    @SuppressWarnings("unchecked")
    private SupportsWriterState<ChangeEvent, WriterState> stateful() {
        return (SupportsWriterState<ChangeEvent, WriterState>) delegate;
    }

    @SuppressWarnings("unchecked")
    private SupportsCommitter<PreparedTransaction> committing() {
        return (SupportsCommitter<PreparedTransaction>) delegate;
    }

    @Override
    public SinkWriter<ChangeEvent> createWriter(WriterInitContext context) throws IOException {
        return wrap(stateful().restoreWriter(context, List.of()));
    }

    @Override
    public StatefulSinkWriter<ChangeEvent, WriterState> restoreWriter(
            WriterInitContext context, Collection<WriterState> state) throws IOException {
        return wrap(stateful().restoreWriter(context, state));
    }

    @SuppressWarnings("unchecked")
    private Writer wrap(StatefulSinkWriter<ChangeEvent, WriterState> writer) {
        return new Writer(writer, (CommittingSinkWriter<ChangeEvent, PreparedTransaction>) writer);
    }

    private final class Writer
            implements StatefulSinkWriter<ChangeEvent, WriterState>, CommittingSinkWriter<ChangeEvent, PreparedTransaction> {
        private final StatefulSinkWriter<ChangeEvent, WriterState> writer;
        private final CommittingSinkWriter<ChangeEvent, PreparedTransaction> committing;

        Writer(StatefulSinkWriter<ChangeEvent, WriterState> writer, CommittingSinkWriter<ChangeEvent, PreparedTransaction> committing) {
            this.writer = writer;
            this.committing = committing;
        }

        @Override
        public void write(ChangeEvent element, Context ctx) throws IOException, InterruptedException {
            if (SEEN.incrementAndGet() >= failAfter && !failFirstCommit && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("Injected failure after " + failAfter + " changes");
            }
            writer.write(element, ctx);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
        }

        @Override
        public Collection<PreparedTransaction> prepareCommit() throws IOException, InterruptedException {
            return committing.prepareCommit();
        }

        @Override
        public List<WriterState> snapshotState(long checkpointId) throws IOException {
            return writer.snapshotState(checkpointId);
        }

        @Override
        public void close() throws Exception {
            writer.close();
        }
    }

    @Override
    public Committer<PreparedTransaction> createCommitter(CommitterInitContext context) throws IOException {
        Committer<PreparedTransaction> committer = committing().createCommitter(context);
        return new Committer<>() {
            @Override
            public void commit(Collection<CommitRequest<PreparedTransaction>> requests) throws IOException, InterruptedException {
                if (failFirstCommit && !requests.isEmpty() && SEEN.get() >= failAfter && COMMIT_FAILED.compareAndSet(false, true)) {
                    throw new IllegalStateException("Injected failure between PREPARE and COMMIT PREPARED");
                }
                long delay = COMMIT_DELAY_MILLIS.get();
                if (slowCommits && (delay > 0 || HOLD_COMMITS.get()) && !requests.isEmpty()) {
                    DELAYED_COMMITS.incrementAndGet();
                    Thread.sleep(delay);
                    while (HOLD_COMMITS.get()) {
                        Thread.sleep(20);
                    }
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
    public SimpleVersionedSerializer<PreparedTransaction> getCommittableSerializer() {
        return committing().getCommittableSerializer();
    }

    @Override
    public SimpleVersionedSerializer<WriterState> getWriterStateSerializer() {
        return stateful().getWriterStateSerializer();
    }

    @Override
    @Deprecated
    public SinkWriter<ChangeEvent> createWriter(InitContext context) {
        throw new UnsupportedOperationException();
    }
}
