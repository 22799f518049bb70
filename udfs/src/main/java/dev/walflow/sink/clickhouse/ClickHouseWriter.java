package dev.walflow.sink.clickhouse;

import dev.walflow.metrics.SinkMetrics;
import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import dev.walflow.schema.TableInfo;
import dev.walflow.source.SourceCatalog;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Turns complete rows into ClickHouse batches: one per table and column list, closed at
 * {@code batch.max-rows} or {@code batch.max-bytes}. A DELETE becomes a row of the key with the
 * deleted flag; a TRUNCATE closes the table's open batches and removes older versions.
 *
 * <p>{@code exactly-once}: batches are handed to the committer before the barrier and inserted
 * when the checkpoint completes, each with its own deduplication token, so a retried commit is
 * stored once. {@code at-least-once}: batches are inserted when closed, after
 * {@code batch.interval}, and before every barrier.
 */
final class ClickHouseWriter implements CommittingSinkWriter<ChangeEvent, ClickHouseBatch> {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseWriter.class);

    private final ClickHouseConfig config;
    private final SourceCatalog catalog;
    private final String tokenPrefix;
    /** Open batches per table, in the order tables were first seen. */
    private final Map<String, List<BatchBuilder>> open = new LinkedHashMap<>();
    private final List<ClickHouseBatch> closed = new ArrayList<>();
    private final Set<String> skippedTables = new HashSet<>();
    private final Counter rowsWritten;
    private final SinkMetrics metrics;
    private final ProcessingTimeService timers;
    private ClickHouseTarget target;
    private long sequence;
    private long openBytes;

    ClickHouseWriter(ClickHouseConfig config, SourceCatalog catalog, WriterInitContext context) {
        this.config = config;
        this.catalog = catalog;
        // Unique per writer run: a token must never match an earlier run's insert in the window.
        this.tokenPrefix = "walflow:" + config.jobName() + ":" + context.getTaskInfo().getIndexOfThisSubtask() + ":"
                + UUID.randomUUID().toString().substring(0, 8) + ":";
        this.rowsWritten = context.metricGroup().counter("walflowClickHouseRows");
        this.metrics = new SinkMetrics(context.metricGroup());
        this.timers = context.getProcessingTimeService();
        if (!config.exactlyOnce()) {
            target = new ClickHouseTarget(config, catalog);
            scheduleTimedFlush();
        }
    }

    @Override
    public void write(ChangeEvent event, Context context) throws IOException {
        if (event.op != Operation.TRUNCATE && event.isKeyless()) {
            if (skippedTables.add(event.table)) {
                LOG.warn("{} has no primary key: ClickHouse's ReplacingMergeTree needs one, so it is not copied", event.table);
            }
            return;
        }
        metrics.received(event);
        long version = event.op == Operation.SNAPSHOT || event.position == null
                ? config.snapshotVersion()
                : event.position.changeLsn;
        switch (event.op) {
            case TRUNCATE:
                if (catalog.table(event.table).map(t -> t.primaryKey().isEmpty()).orElse(false)) {
                    return; // a table without a key has no copy
                }
                closeTable(event.table);
                closed.add(ClickHouseBatch.truncate(event.table, version, nextToken()));
                break;
            case DELETE:
                add(builder(event.table, event.keyColumns), event.key, version, true, event);
                break;
            default:
                if (event.hasUnchangedToast()) {
                    // Neither state nor the source had the values: the row is gone, its DELETE follows.
                    LOG.debug("Skipping {}: unchanged TOAST values unknown, the row is gone at the source", event);
                    return;
                }
                add(builder(event.table, event.columns), event.after, version, false, event);
        }
        if (!config.exactlyOnce() && !closed.isEmpty()) {
            insertClosed();
        }
    }

    /** Adds a row; closes its batch when full, and every open batch when together they are. */
    private void add(BatchBuilder b, String[] row, long version, boolean deleted, ChangeEvent event) {
        long before = b.bytes();
        b.add(row, version, deleted, event);
        openBytes += b.bytes() - before;
        if (openBytes >= config.batchMaxBytes()) {
            closeAll();
        } else if (b.rows() >= config.batchMaxRows()) {
            closeBuilder(b);
        }
    }

    /** The open batch of a table with these columns (a table has one per column list in use). */
    private BatchBuilder builder(String table, String[] columns) throws IOException {
        List<BatchBuilder> ofTable = open.computeIfAbsent(table, t -> new ArrayList<>(2));
        for (BatchBuilder b : ofTable) {
            if (Arrays.equals(b.columns, columns)) {
                return b;
            }
        }
        BatchBuilder b = new BatchBuilder(table, columns, tableInfo(table, columns));
        ofTable.add(b);
        return b;
    }

    private TableInfo tableInfo(String table, String[] columns) throws IOException {
        try {
            TableInfo info = catalog.table(table).orElse(null);
            for (String column : columns) {
                if (info == null || info.column(column) == null) {
                    info = catalog.withColumn(table, column);
                }
            }
            return info;
        } catch (SQLException e) {
            throw new IOException("Cannot read the definition of source table " + table + ": " + e.getMessage(), e);
        }
    }

    private String nextToken() {
        return tokenPrefix + sequence++;
    }

    private void closeBuilder(BatchBuilder b) {
        open.get(b.table).remove(b);
        seal(b);
    }

    private void seal(BatchBuilder b) {
        openBytes -= b.bytes();
        if (b.rows() > 0) {
            closed.add(b.build(nextToken()));
            rowsWritten.inc(b.rows());
        }
    }

    private void closeTable(String table) {
        List<BatchBuilder> ofTable = open.remove(table);
        if (ofTable != null) {
            ofTable.forEach(this::seal);
        }
    }

    private void closeAll() {
        open.values().forEach(ofTable -> ofTable.forEach(this::seal));
        open.clear();
    }

    private void insertClosed() throws IOException {
        long started = System.nanoTime();
        int rows = 0;
        try {
            for (ClickHouseBatch batch : closed) {
                target.apply(batch);
                rows += batch.rows;
            }
        } catch (IOException | RuntimeException e) {
            metrics.batchFailed(e);
            throw e;
        }
        closed.clear();
        metrics.batchWritten(rows, System.nanoTime() - started, true);
    }

    private void scheduleTimedFlush() {
        long interval = Math.max(1, config.batchInterval().toMillis());
        timers.registerTimer(timers.getCurrentProcessingTime() + interval, time -> {
            flush(false);
            scheduleTimedFlush();
        });
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        if (!config.exactlyOnce()) {
            closeAll();
            insertClosed();
        }
    }

    @Override
    public Collection<ClickHouseBatch> prepareCommit() {
        if (!config.exactlyOnce()) {
            return List.of();
        }
        closeAll();
        List<ClickHouseBatch> batches = new ArrayList<>(closed);
        closed.clear();
        int rows = 0;
        for (ClickHouseBatch b : batches) {
            rows += b.rows;
        }
        metrics.handedOver(rows);
        if (!batches.isEmpty()) {
            LOG.debug("Handing {} ClickHouse batches to the committer: {}", batches.size(), Arrays.toString(batches.toArray()));
        }
        return batches;
    }

    @Override
    public void close() {
        if (target != null) {
            target.close();
        }
        catalog.close();
    }
}
