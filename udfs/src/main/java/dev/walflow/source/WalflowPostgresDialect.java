package dev.walflow.source;

import io.debezium.relational.TableId;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitBase;
import org.apache.flink.cdc.connectors.base.source.reader.external.FetchTask;
import org.apache.flink.cdc.connectors.postgres.source.PostgresDialect;
import org.apache.flink.cdc.connectors.postgres.source.config.PostgresSourceConfig;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Flink CDC's PostgreSQL dialect, with snapshot chunks read by {@link CopySnapshotFetchTask}. */
public final class WalflowPostgresDialect extends PostgresDialect {

    private static final long serialVersionUID = 1L;

    private final boolean copySnapshot;

    private transient Set<TableId> connectorReadTables;

    /** @param copySnapshot false keeps the connector's own snapshot read for every table */
    public WalflowPostgresDialect(PostgresSourceConfig sourceConfig, boolean copySnapshot) {
        super(sourceConfig);
        this.copySnapshot = copySnapshot;
    }

    @Override
    public FetchTask<SourceSplitBase> createFetchTask(SourceSplitBase split) {
        if (copySnapshot && split.isSnapshotSplit()) {
            if (connectorReadTables == null) {
                connectorReadTables = ConcurrentHashMap.newKeySet();
            }
            return new CopySnapshotFetchTask(split.asSnapshotSplit(), connectorReadTables);
        }
        return super.createFetchTask(split);
    }
}
