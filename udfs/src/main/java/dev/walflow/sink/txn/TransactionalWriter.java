package dev.walflow.sink.txn;

import dev.walflow.jdbc.Connections;
import dev.walflow.logging.LogFields;
import dev.walflow.metrics.SinkMetrics;
import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Position;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A sink writer into one PostgreSQL database, buffering changes and writing them in batches:
 * when {@code batchMaxRows} changes are buffered, when {@code batchInterval} has passed, and
 * before every checkpoint barrier.
 *
 * <p>A batch is written by the writer's own thread while the task thread fills the next one, so
 * the target's work on one batch overlaps the reading and decoding of the next. At most one
 * batch is in flight: a second full buffer waits for it, so a slow target slows the stream
 * (backpressure) instead of growing memory, and batches reach the target one after another on
 * one connection, in stream order. Everything else on the connection (a TRUNCATE, preparing the
 * transaction at a barrier) first waits for the batch in flight.
 *
 * <p>{@code at-least-once}: each batch commits on its own; a failed batch is retried on a fresh
 * connection, then the job fails and replays from its last checkpoint.
 *
 * <p>{@code exactly-once}: all batches between two checkpoints form one transaction, which also
 * records this subtask's position in {@code walflow.progress}. Before the barrier it is
 * prepared ({@code PREPARE TRANSACTION}) and handed to the committer, which commits it when the
 * checkpoint completes. A failure fails the job (its open transaction rolls back with the
 * connection). On restore, prepared transactions of this writer that the checkpoint does not
 * know belong to checkpoints that never completed and are rolled back.
 */
public abstract class TransactionalWriter<E>
        implements CommittingSinkWriter<E, PreparedTransaction>, StatefulSinkWriter<E, WriterState> {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalWriter.class);

    protected final TargetConfig config;
    protected final String sinkName;
    protected final int subtask;
    protected final int parallelism;
    protected final int maxParallelism;
    private final ProcessingTimeService timers;
    private final Counter rowsWritten;
    private final Counter batchesWritten;
    private final SinkMetrics metrics;

    /** How often {@link #awaitsCommit()} asks the target while a commit is outstanding. */
    private static final long COMMIT_CHECK_NANOS = 2_000_000L;

    private int pendingEvents;
    /** The batch being written by {@link #batchThread}, or null. */
    private InFlight inFlight;
    private ExecutorService batchThread;
    private long lastCommitCheck;
    private Connection connection;
    private StatementCache statementCache;

    private boolean transactionDirty;
    private Position transactionPosition = Position.SNAPSHOT;
    private long nextSequence;
    private final List<PreparedTransaction> awaitingCommit = new ArrayList<>();
    /** The checkpoint of each transaction prepared by this run, once its snapshot was taken. */
    private final Map<String, Long> checkpointOf = new HashMap<>();
    /** Checkpoints this writer took part in; only these count as proof in the storage. */
    private final TreeSet<Long> snapshotted = new TreeSet<>();
    private final String jobId;

    protected TransactionalWriter(
            TargetConfig config, String sinkName, WriterInitContext context, Collection<WriterState> restored)
            throws IOException {
        this.config = config;
        this.sinkName = sinkName;
        this.subtask = context.getTaskInfo().getIndexOfThisSubtask();
        this.parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        this.maxParallelism = context.getTaskInfo().getMaxNumberOfParallelSubtasks();
        this.timers = context.getProcessingTimeService();
        this.jobId = context.getJobInfo().getJobId().toHexString();
        this.rowsWritten = context.metricGroup().counter("walflowRowsWritten");
        this.batchesWritten = context.metricGroup().counter("walflowBatchesWritten");
        this.metrics = new SinkMetrics(context.metricGroup());
        if (config.exactlyOnce()) {
            recover(restored);
        }
        scheduleTimedFlush();
    }

    /** Buffers one element; returns how many changes it adds to the buffer. */
    protected abstract int buffer(E element) throws IOException;

    /**
     * Takes everything buffered, leaving the buffer empty, as work that writes it on a connection
     * (inside the current transaction) and returns the rows written. The work runs on the batch
     * thread while {@link #buffer} fills the next batch, so it must use only what it took and
     * state no other method touches while a batch is in flight.
     */
    protected abstract Work<Integer> takeBuffered();

    /** Forgets per-connection caches (table definitions) after the connection was dropped. */
    protected void onConnectionDropped() {}

    @Override
    public void write(E element, Context context) throws IOException, InterruptedException {
        if (element instanceof ChangeEvent) {
            metrics.received((ChangeEvent) element);
        }
        pendingEvents += buffer(element);
        if (pendingEvents >= config.batchMaxRows() && !awaitsCommit()) {
            flushPending();
        }
    }

    /**
     * Whether a transaction this writer prepared for an earlier checkpoint may still be
     * uncommitted. Its rows stay locked until {@code COMMIT PREPARED}, which the committer runs on
     * this same task thread once the checkpoint's completion is processed, after {@code write}
     * returns: a new transaction writing one of those rows now would wait for it forever. So
     * changes stay buffered until the commit is seen (normally milliseconds after the barrier;
     * at most until the next barrier, which writes them).
     */
    private boolean awaitsCommit() throws IOException {
        // A batch in flight makes the transaction dirty (and owns the connection).
        if (!config.exactlyOnce() || inFlight != null || transactionDirty || awaitingCommit.isEmpty()) {
            return false;
        }
        long now = System.nanoTime();
        if (now - lastCommitCheck < COMMIT_CHECK_NANOS) {
            return true;
        }
        lastCommitCheck = now;
        try {
            forgetCommitted();
        } catch (SQLException e) {
            dropConnection();
            throw new IOException("Failed to list prepared transactions on " + config.url() + ": " + describe(e), e);
        }
        return !awaitingCommit.isEmpty();
    }

    /** Forgets the transactions awaiting commit that the target no longer holds prepared. */
    private void forgetCommitted() throws SQLException {
        ensureConnection();
        Set<String> still = new HashSet<>(Transactions.prepared(connection,
                Transactions.gidPrefix(sinkName, config.jobName(), subtask)));
        awaitingCommit.removeIf(t -> !still.contains(t.gid()));
    }

    /** Notes the position of a change the current transaction will hold. */
    protected final void track(Position position) {
        if (position != null && position.compareTo(transactionPosition) > 0) {
            transactionPosition = position;
        }
    }

    /** Before every checkpoint barrier: everything received is written (and, at-least-once, committed). */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        flushAndWait();
    }

    private void scheduleTimedFlush() {
        long interval = Math.max(1, config.batchInterval().toMillis());
        timers.registerTimer(
                timers.getCurrentProcessingTime() + interval,
                time -> {
                    if (!awaitsCommit()) {
                        flushPending();
                    }
                    scheduleTimedFlush();
                });
    }

    /**
     * Hands what is buffered to the batch thread, once the batch before it is written. Returns
     * without waiting for this one.
     */
    protected final void flushPending() throws IOException {
        awaitWritten();
        if (pendingEvents == 0) {
            return;
        }
        int events = pendingEvents;
        Work<Integer> batch = takeBuffered();
        pendingEvents = 0;
        SinkMetrics.Batch counts = metrics.takeBatch();
        if (batchThread == null) {
            batchThread = Executors.newSingleThreadExecutor(runnable -> {
                Thread t = new Thread(runnable, "walflow " + sinkName + " batch writer " + subtask);
                t.setDaemon(true);
                return t;
            });
        }
        inFlight = new InFlight(batchThread.submit(() -> {
            long started = System.nanoTime();
            int rows = runInTransaction(events + " changes", batch);
            return new Written(rows, System.nanoTime() - started);
        }), counts, events);
    }

    /** Writes everything buffered and waits until it is written. */
    protected final void flushAndWait() throws IOException {
        flushPending();
        awaitWritten();
    }

    private record Written(int rows, long nanos) {}

    /** A batch handed to the batch thread: its result, its metrics counts and its size. */
    private record InFlight(Future<Written> result, SinkMetrics.Batch counts, int events) {}

    /** Waits for the batch in flight, if any; its failure is this writer's failure. */
    private void awaitWritten() throws IOException {
        if (inFlight == null) {
            return;
        }
        InFlight batch = inFlight;
        inFlight = null;
        Written written;
        try {
            written = batch.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            batch.result().cancel(true);
            throw new IOException("Interrupted while a batch was written to " + config.url(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            metrics.batchFailed(batch.counts(), cause);
            throw cause instanceof IOException ? (IOException) cause
                    : new IOException("Failed to write " + batch.events() + " changes to " + config.url(), cause);
        }
        rowsWritten.inc(written.rows());
        batchesWritten.inc();
        metrics.batchWritten(batch.counts(), batch.events(), written.nanos(), !config.exactlyOnce());
        LOG.debug("Wrote {} changes to {} ({})", batch.events(), config.url(), sinkName);
    }

    /** A unit of work on the target's connection. */
    protected interface Work<T> {
        T run(Connection connection, StatementCache statements) throws SQLException;
    }

    /**
     * Runs work in the current transaction on the task thread, after the batch in flight (a
     * TRUNCATE, which must follow what was buffered before it).
     */
    protected final void runNow(String what, Work<?> work) throws IOException {
        awaitWritten();
        try {
            runInTransaction(what, work);
        } catch (IOException e) {
            metrics.batchFailed(metrics.takeBatch(), e);
            throw e;
        }
    }

    /**
     * Runs work in the current transaction. At-least-once commits it (retrying on a fresh
     * connection); exactly-once leaves the transaction open for the checkpoint to prepare. Runs
     * on the batch thread, or on the task thread when no batch is in flight.
     */
    private <T> T runInTransaction(String what, Work<T> work) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                ensureConnection();
                T result = work.run(connection, statementCache);
                if (config.exactlyOnce()) {
                    transactionDirty = true;
                } else {
                    connection.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                dropConnection();
                if (config.exactlyOnce() || attempt >= config.maxRetries() || !isRetriable(e)) {
                    throw new IOException(
                            "Failed to write " + what + " to " + config.url() + " (" + sinkName + ") after "
                                    + (attempt + 1) + " attempt(s): " + describe(e), e);
                }
                try (LogFields f = LogFields.of(LogFields.JOB, config.jobName(), LogFields.SINK, sinkName,
                        LogFields.SUBTASK, subtask, LogFields.POSITION, transactionPosition)) {
                    LOG.warn("Writing {} to {} failed (attempt {}), retrying: {}", what, config.url(), attempt + 1, describe(e));
                }
                sleep(Math.min(10_000L, 500L << attempt));
            }
        }
    }

    @Override
    public Collection<PreparedTransaction> prepareCommit() throws IOException {
        if (!config.exactlyOnce()) {
            return Collections.emptyList();
        }
        flushAndWait();
        if (!transactionDirty) {
            return Collections.emptyList();
        }
        String gid = Transactions.gidPrefix(sinkName, config.jobName(), subtask) + nextSequence++;
        PreparedTransaction prepared = new PreparedTransaction(
                gid, config.jobName(), subtask, transactionPosition, metrics.takeTransactionOldestCommitMicros());
        try {
            Transactions.writeProgress(connection, config.walflowSchema(), sinkName, config.jobName(), subtask, transactionPosition);
            Transactions.prepare(connection, gid);
        } catch (SQLException e) {
            dropConnection();
            throw new IOException("Failed to prepare transaction " + gid + " on " + config.url() + ": " + describe(e), e);
        }
        transactionDirty = false;
        awaitingCommit.add(prepared);
        LOG.debug("Prepared {}", prepared);
        return List.of(prepared);
    }

    @Override
    public List<WriterState> snapshotState(long checkpointId) throws IOException {
        if (!config.exactlyOnce()) {
            return Collections.emptyList();
        }
        awaitWritten();
        // Keep only prepared transactions not yet committed: these are the ones a restore of
        // this checkpoint must leave for the committer.
        if (!awaitingCommit.isEmpty()) {
            try {
                forgetCommitted();
            } catch (SQLException e) {
                dropConnection();
                LOG.warn("Could not list prepared transactions on {}: {}", config.url(), e.getMessage());
            }
        }
        List<String> gids = new ArrayList<>();
        awaitingCommit.forEach(t -> gids.add(t.gid()));
        checkpointOf.keySet().retainAll(gids);
        gids.forEach(gid -> checkpointOf.putIfAbsent(gid, checkpointId));
        snapshotted.add(checkpointId);
        while (snapshotted.size() > 1000) {
            snapshotted.pollFirst();
        }
        return List.of(new WriterState(subtask, nextSequence, gids));
    }

    private void recover(Collection<WriterState> restored) throws IOException {
        Set<String> keep = new HashSet<>();
        for (WriterState state : restored) {
            keep.addAll(state.pendingGids);
            if (state.subtask == subtask) {
                nextSequence = Math.max(nextSequence, state.nextSequence);
            }
        }
        List<String> prefixes = new ArrayList<>();
        prefixes.add(Transactions.gidPrefix(sinkName, config.jobName(), subtask));
        if (subtask == 0) {
            // Subtasks that no longer exist after scaling in leave their stragglers to subtask 0.
            for (int gone = parallelism; gone < maxParallelism && gone < parallelism + 256; gone++) {
                prefixes.add(Transactions.gidPrefix(sinkName, config.jobName(), gone));
            }
        }
        try (Connection c = Connections.open(config.url(), config.connectionProperties())) {
            c.setAutoCommit(true);
            Transactions.requirePreparedTransactions(c, "The target " + config.url());
            for (String prefix : prefixes) {
                for (String gid : Transactions.prepared(c, prefix)) {
                    if (keep.contains(gid)) {
                        continue;
                    }
                    Transactions.rollbackPrepared(c, gid);
                    LOG.info("Rolled back {}: prepared for a checkpoint that did not complete", gid);
                }
            }
            for (String gid : Transactions.prepared(c, prefixes.get(0))) {
                long n = Long.parseLong(gid.substring(gid.lastIndexOf(':') + 1));
                nextSequence = Math.max(nextSequence, n + 1);
            }
        } catch (SQLException e) {
            throw new IOException("Failed to recover prepared transactions on " + config.url() + ": " + describe(e), e);
        }
    }

    private static boolean isRetriable(Exception e) {
        // Connection trouble (08xxx), serialization failures and deadlocks (40xxx), and server
        // shutdown (57Pxx) may pass; data errors will not.
        if (!(e instanceof SQLException)) {
            return false;
        }
        String state = ((SQLException) e).getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("40") || state.startsWith("57");
    }

    /**
     * The server's own error, without the batch's SQL text that the driver puts in a batch
     * failure (it can be megabytes of row data).
     */
    public static String describe(Exception e) {
        Throwable t = e;
        while (t instanceof SQLException) {
            SQLException next = ((SQLException) t).getNextException();
            if (next != null) {
                t = next;
            } else if (t.getCause() instanceof SQLException) {
                t = t.getCause();
            } else {
                break;
            }
        }
        String message = t.getMessage();
        if (t instanceof java.sql.BatchUpdateException || message == null) {
            return e.getClass().getSimpleName();
        }
        return message.length() > 1000 ? message.substring(0, 1000) + "..." : message;
    }

    private void ensureConnection() throws SQLException {
        if (connection == null) {
            connection = Connections.open(config.url(), config.connectionProperties());
            connection.setAutoCommit(false);
            statementCache = new StatementCache(connection);
        }
    }

    private void dropConnection() {
        if (statementCache != null) {
            statementCache.close();
            statementCache = null;
        }
        if (connection != null) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection may already be gone
            }
            try {
                connection.close();
            } catch (SQLException ignored) {
                // nothing more to do
            }
            connection = null;
        }
        transactionDirty = false;
        onConnectionDropped();
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting to retry a write", e);
        }
    }

    @Override
    public void close() {
        if (inFlight != null) {
            try {
                inFlight.result().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // the job is failing or cancelled; the transaction rolls back below
            }
            inFlight = null;
        }
        if (batchThread != null) {
            batchThread.shutdownNow();
        }
        // The open transaction rolls back with the connection.
        dropConnection();
        if (config.exactlyOnce() && !awaitingCommit.isEmpty()) {
            settlePrepared();
        }
    }

    /**
     * Settles, when the job is cancelled or the task fails, transactions this writer prepared
     * that are still uncommitted, so that no orphan holds locks and blocks VACUUM:
     * <ul>
     *   <li>prepared but never part of a snapshot of this writer: its checkpoint cannot complete
     *       without this subtask, so it is rolled back;</li>
     *   <li>part of checkpoint N, and a checkpoint N or later is complete in the checkpoint
     *       storage: the committer would commit it (committables of an aborted checkpoint move
     *       to the next one), so it is committed; a restore finds it in walflow.progress;</li>
     *   <li>otherwise (N may still complete, N is a savepoint, or the storage is unknown) it is
     *       left prepared, and the next start of this job commits or rolls it back.</li>
     * </ul>
     */
    private void settle(Connection c, String gid, Long checkpoint, long completed) {
        try {
            if (checkpoint == null) {
                Transactions.rollbackPrepared(c, gid);
                LOG.info("Rolled back {} at close: no snapshot of this writer holds it", gid);
            } else if (completed >= checkpoint) {
                Transactions.commitPrepared(c, gid);
                LOG.info("Committed {} at close: checkpoint {} completed (checkpoint {} is the latest)", gid, checkpoint, completed);
            } else {
                LOG.warn("Left {} prepared at close: checkpoint {} is not known to be complete;"
                        + " the next start of job {} commits or rolls it back", gid, checkpoint, config.jobName());
            }
        } catch (SQLException e) {
            LOG.warn("Could not settle {} at close; the next start of job {} will: {}", gid, config.jobName(), describe(e), e);
        }
    }

    private void settlePrepared() {
        Properties properties = config.connectionProperties();
        // Close runs on the task thread, which a cancellation watchdog kills if it hangs.
        properties.setProperty("socketTimeout", "30");
        try (Connection c = Connections.open(config.url(), properties)) {
            c.setAutoCommit(true);
            Set<String> still = new HashSet<>(Transactions.prepared(c, Transactions.gidPrefix(sinkName, config.jobName(), subtask)));
            // A job id can repeat across runs (application mode with HA): only checkpoints this
            // writer took part in prove anything.
            long completed = CompletedCheckpoints.latest(config.checkpointDir(), jobId, snapshotted::contains);
            for (PreparedTransaction t : awaitingCommit) {
                if (still.contains(t.gid())) {
                    settle(c, t.gid(), checkpointOf.get(t.gid()), completed);
                }
            }
        } catch (SQLException e) {
            LOG.warn("Could not settle prepared transactions on {} at close; the next start of job {} will: {}",
                    config.url(), config.jobName(), describe(e), e);
        }
    }
}
