package dev.walflow.source;

import io.debezium.connector.base.ChangeEventQueue;
import io.debezium.pipeline.DataChangeEvent;
import io.debezium.relational.Table;
import io.debezium.relational.TableId;
import io.debezium.relational.TableSchema;
import org.apache.flink.cdc.connectors.base.source.meta.split.SnapshotSplit;
import org.apache.flink.cdc.connectors.postgres.source.fetch.PostgresScanFetchTask;
import org.apache.flink.cdc.connectors.postgres.source.fetch.PostgresSourceFetchTaskContext;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

import static io.debezium.connector.postgresql.Utils.refreshSchema;

/**
 * Flink CDC's snapshot split task with the chunk's rows read by {@link CopyChunkReader}. The
 * watermarks around the read, and the connector's own read for tables COPY cannot serve, are
 * the inherited task's.
 */
public final class CopySnapshotFetchTask extends PostgresScanFetchTask {

    private static final Logger LOG = LoggerFactory.getLogger(CopySnapshotFetchTask.class);

    /**
     * Tables found to need the connector's read (shared by a reader's tasks): each is logged
     * once, and its later chunks go straight to the connector, which reads the schema itself.
     */
    private final Set<TableId> connectorReadTables;

    public CopySnapshotFetchTask(SnapshotSplit split, Set<TableId> connectorReadTables) {
        super(split);
        this.connectorReadTables = connectorReadTables;
    }

    @Override
    protected void executeDataSnapshot(Context context) throws Exception {
        PostgresSourceFetchTaskContext ctx = (PostgresSourceFetchTaskContext) context;
        TableId id = snapshotSplit.getTableId();
        if (connectorReadTables.contains(id)) {
            super.executeDataSnapshot(context);
            return;
        }
        if (ctx.getDatabaseSchema().tableFor(id) == null) {
            // Flink CDC 3.5 reads the schema as it prepares each split; a version that takes it
            // from the split instead may not have this table yet.
            refreshSchema(ctx.getDatabaseSchema(), ctx.getConnection(), false);
        }
        Table table = ctx.getDatabaseSchema().tableFor(id);
        TableSchema schema = ctx.getDatabaseSchema().schemaFor(id);
        String unsupported = table == null || schema == null
                ? "its schema is unknown"
                : CopyChunkReader.unsupported(table, schema, snapshotSplit);
        if (unsupported != null) {
            if (connectorReadTables.add(id)) {
                LOG.info("Snapshot of {} reads its rows through the connector, not COPY: {}", id, unsupported);
            }
            super.executeDataSnapshot(context);
            return;
        }
        CopyChunkReader reader = CopyChunkReader.forSplit(table, schema, snapshotSplit);
        ChangeEventQueue<DataChangeEvent> queue = ctx.getQueue();
        Map<String, ?> partition = ctx.getPartition().getSourcePartition();
        String topic = id.toString();
        String database = ctx.getDbzConnectorConfig().databaseName();
        long started = System.nanoTime();
        long rows;
        try {
            rows = reader.read(ctx.getConnection().connection(), event -> {
                if (!taskRunning) {
                    return false;
                }
                queue.enqueue(new DataChangeEvent(
                        new SourceRecord(partition, Map.of(), topic, null, null, null, null, new SnapshotRow(event, database))));
                return true;
            });
        } catch (SQLException e) {
            throw new FlinkRuntimeException("Snapshot of " + id + ", split " + snapshotSplit.splitId() + ": " + reader.sql()
                    + " failed: " + e.getMessage(), e);
        }
        LOG.info("Read {} rows of snapshot split {} with COPY in {} ms",
                rows, snapshotSplit.splitId(), (System.nanoTime() - started) / 1_000_000);
    }
}
