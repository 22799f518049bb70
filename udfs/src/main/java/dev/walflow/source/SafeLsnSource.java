package dev.walflow.source;

import dev.walflow.logging.ConnectorLogGuard;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A CDC source whose readers confirm a checkpoint's position to the replication slot only once
 * every exactly-once sink has committed that checkpoint's transactions (see
 * {@link SafeLsnSourceReader}). Everything else is the wrapped source's.
 */
public final class SafeLsnSource<T, S extends SourceSplit, E> implements Source<T, S, E>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    private final Source<T, S, E> delegate;
    private final PreparedTransactions pendingCommits;
    private final SlotGuard slotGuard;

    public SafeLsnSource(Source<T, S, E> delegate, PreparedTransactions pendingCommits) {
        this(delegate, pendingCommits, null);
    }

    /** @param slotGuard checks the slot before the stream starts, or null */
    public SafeLsnSource(Source<T, S, E> delegate, PreparedTransactions pendingCommits, SlotGuard slotGuard) {
        this.delegate = delegate;
        this.pendingCommits = pendingCommits;
        this.slotGuard = slotGuard;
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SourceReader<T, S> createReader(SourceReaderContext readerContext) throws Exception {
        ConnectorLogGuard.quietConfigurationDump();
        return new SafeLsnSourceReader<>(
                delegate.createReader(readerContext), pendingCommits, slotGuard, readerContext.metricGroup());
    }

    @Override
    public SplitEnumerator<S, E> createEnumerator(SplitEnumeratorContext<S> enumContext) throws Exception {
        return delegate.createEnumerator(enumContext);
    }

    @Override
    public SplitEnumerator<S, E> restoreEnumerator(SplitEnumeratorContext<S> enumContext, E checkpoint) throws Exception {
        return delegate.restoreEnumerator(enumContext, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<S> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<E> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypeInformation<T> getProducedType() {
        return ((ResultTypeQueryable<T>) delegate).getProducedType();
    }
}
