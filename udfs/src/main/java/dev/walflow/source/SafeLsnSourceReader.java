package dev.walflow.source;

import dev.walflow.metrics.WalflowMetrics;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Holds back the wrapped reader's checkpoint notifications (on which Flink CDC confirms the
 * checkpoint's LSN to the slot) until the sinks have committed what that checkpoint covers.
 *
 * <p>Flink notifies the source and the sinks' committers of a completed checkpoint at the same
 * time, so without this the slot could for a moment be ahead of what a target shows, or for as
 * long as a committer is slow or its target is down. When checkpoint N completes, every
 * transaction of checkpoints up to N is already prepared; the names of the prepared
 * transactions at that moment are a superset of those still pending for N. Once none of them
 * is prepared any more, N's position is committed everywhere and is passed on. A later
 * checkpoint's notification passes on the newest checkpoint that has become safe.
 */
final class SafeLsnSourceReader<T, S extends SourceSplit> implements SourceReader<T, S> {

    private static final Logger LOG = LoggerFactory.getLogger(SafeLsnSourceReader.class);

    /** Completed checkpoints held back beyond this many are worth a warning. */
    private static final int HELD_BACK_WARNING = 10;

    /** Marks a checkpoint whose pending transactions could not be read when it completed. */
    private static final Set<String> UNKNOWN = null;

    private final SourceReader<T, S> delegate;
    private final PreparedTransactions pendingCommits;
    /** Completed checkpoints not yet passed on, with the transactions each waits for. */
    private final TreeMap<Long, Set<String>> waiting = new TreeMap<>();
    /** Checks the slot before the stream split runs; null: no check. */
    private final SlotGuard slotGuard;
    /** The stream's LSN in each snapshot taken and not yet confirmed. */
    private final Map<Long, Long> lsnOfCheckpoint = new HashMap<>();
    private volatile long confirmedLsn = -1;
    private volatile long confirmedCheckpoint = -1;

    SafeLsnSourceReader(SourceReader<T, S> delegate, PreparedTransactions pendingCommits) {
        this(delegate, pendingCommits, null, null);
    }

    SafeLsnSourceReader(
            SourceReader<T, S> delegate, PreparedTransactions pendingCommits, SlotGuard slotGuard, MetricGroup metrics) {
        this.delegate = delegate;
        this.pendingCommits = pendingCommits;
        this.slotGuard = slotGuard;
        if (metrics != null) {
            MetricGroup g = WalflowMetrics.group(metrics);
            g.gauge(WalflowMetrics.CHECKPOINT_CONFIRMED_LSN, (Gauge<Long>) () -> confirmedLsn);
            g.gauge(WalflowMetrics.CHECKPOINT_CONFIRMED_ID, (Gauge<Long>) () -> confirmedCheckpoint);
            g.gauge(WalflowMetrics.CHECKPOINTS_HELD_BACK, (Gauge<Integer>) waiting::size);
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        Set<String> prepared;
        try {
            prepared = pendingCommits.read();
        } catch (SQLException e) {
            // The slot waits; the next completed checkpoint tries again.
            LOG.warn("Checkpoint {} completed, but its position is not confirmed to the slot yet", checkpointId, e);
            waiting.put(checkpointId, UNKNOWN);
            return;
        }
        // Transactions of a checkpoint can only leave the prepared set, so the set read now
        // stands in for one that could not be read when that checkpoint completed; like any
        // entry, it is compared with the sets read at later notifications.
        waiting.replaceAll((id, awaited) -> awaited == UNKNOWN ? prepared : awaited);
        waiting.put(checkpointId, prepared);
        long safe = -1;
        for (Iterator<Map.Entry<Long, Set<String>>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Set<String>> entry = it.next();
            if (!Collections.disjoint(entry.getValue(), prepared)) {
                break;
            }
            safe = entry.getKey();
            it.remove();
        }
        if (safe >= 0) {
            delegate.notifyCheckpointComplete(safe);
            confirmed(safe);
        }
        if (waiting.size() > HELD_BACK_WARNING) {
            LOG.warn("The slot is held at an older checkpoint: {} completed checkpoints wait for their transactions to be"
                    + " committed ({} prepared); the source keeps its WAL meanwhile", waiting.size(), prepared.size());
        }
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        delegate.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void start() {
        delegate.start();
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
        return delegate.pollNext(output);
    }

    private void confirmed(long checkpointId) {
        confirmedCheckpoint = checkpointId;
        Long lsn = lsnOfCheckpoint.get(checkpointId);
        if (lsn != null) {
            confirmedLsn = lsn;
        }
        lsnOfCheckpoint.keySet().removeIf(id -> id <= checkpointId);
    }

    @Override
    public List<S> snapshotState(long checkpointId) {
        List<S> splits = delegate.snapshotState(checkpointId);
        for (S split : splits) {
            long lsn = SlotGuard.checkpointLsn(split);
            if (lsn > 0) {
                lsnOfCheckpoint.put(checkpointId, lsn);
            }
        }
        return splits;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return delegate.isAvailable();
    }

    @Override
    public void addSplits(List<S> splits) {
        if (slotGuard != null) {
            for (S split : splits) {
                if (split instanceof org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplit) {
                    slotGuard.check(SlotGuard.resumeLsn(split));
                }
            }
        }
        delegate.addSplits(splits);
    }

    @Override
    public void notifyNoMoreSplits() {
        delegate.notifyNoMoreSplits();
    }

    @Override
    public void handleSourceEvents(SourceEvent sourceEvent) {
        delegate.handleSourceEvents(sourceEvent);
    }

    @Override
    public void pauseOrResumeSplits(Collection<String> splitsToPause, Collection<String> splitsToResume) {
        delegate.pauseOrResumeSplits(splitsToPause, splitsToResume);
    }

    @Override
    public void close() throws Exception {
        try {
            delegate.close();
        } finally {
            pendingCommits.close();
        }
    }
}
