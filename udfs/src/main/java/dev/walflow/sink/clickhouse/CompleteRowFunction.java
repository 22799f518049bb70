package dev.walflow.sink.clickhouse;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableInfo;
import dev.walflow.source.SourceRowLookup;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes every row complete before ClickHouse, which stores whole rows: an UPDATE's unchanged
 * TOAST values (absent from the WAL) are taken from the last image of the row kept in keyed
 * state, or, when the state does not have them (expired, or the job started after the row's
 * last write), read from the source row.
 *
 * <p>Only variable-length columns are kept, since only they can be TOASTed, and only for tables
 * that have some; the state costs about the size of those values per live row (see README).
 * A DELETE drops the row's state.
 */
public final class CompleteRowFunction extends KeyedProcessFunction<String, ChangeEvent, ChangeEvent> {

    private static final long serialVersionUID = 1L;

    private final Map<String, Set<String>> fixedLengthColumns = new HashMap<>();
    private final Duration ttl;
    private final SourceRowLookup lookup;

    private transient ValueState<ToastImage> image;
    private transient Counter filledFromState;
    private transient Counter filledFromSource;

    /**
     * @param tables the captured tables (their fixed-length columns are never kept)
     * @param ttl how long an image is kept after its last write, or null for as long as the row lives
     */
    public CompleteRowFunction(Iterable<TableInfo> tables, Duration ttl, SourceRowLookup lookup) {
        for (TableInfo t : tables) {
            Set<String> fixed = new HashSet<>();
            for (ColumnInfo c : t.columns()) {
                if (!c.toastable()) {
                    fixed.add(c.name());
                }
            }
            fixedLengthColumns.put(t.id().eventName(), fixed);
        }
        this.ttl = ttl;
        this.lookup = lookup;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<ToastImage> descriptor = new ValueStateDescriptor<>("walflow-toast-image", ToastImage.class);
        if (ttl != null) {
            descriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl)
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build());
        }
        image = getRuntimeContext().getState(descriptor);
        filledFromState = getRuntimeContext().getMetricGroup().counter("walflowToastFilledFromState");
        filledFromSource = getRuntimeContext().getMetricGroup().counter("walflowToastFilledFromSource");
    }

    @Override
    public void processElement(ChangeEvent event, Context ctx, Collector<ChangeEvent> out) throws Exception {
        if (event.isKeyless() || event.op == Operation.TRUNCATE) {
            out.collect(event);
            return;
        }
        if (event.op == Operation.DELETE) {
            image.clear();
            out.collect(event);
            return;
        }
        ChangeEvent row = event;
        if (row.hasUnchangedToast()) {
            row = fillFromState(row);
            if (row.hasUnchangedToast()) {
                row = lookup.fill(row);
                filledFromSource.inc();
            } else {
                filledFromState.inc();
            }
        }
        remember(row);
        out.collect(row);
    }

    private ChangeEvent fillFromState(ChangeEvent event) throws Exception {
        ToastImage last = image.value();
        if (last == null) {
            return event;
        }
        ChangeEvent filled = event.copy();
        filled.after = event.after.clone();
        for (int i = 0; i < filled.after.length; i++) {
            if (ChangeEvent.UNCHANGED_TOAST.equals(filled.after[i]) && last.has(event.columns[i])) {
                filled.after[i] = last.valueOf(event.columns[i]);
            }
        }
        return filled;
    }

    private void remember(ChangeEvent row) throws Exception {
        Set<String> fixed = fixedLengthColumns.getOrDefault(row.table, Set.of());
        List<String> columns = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < row.columns.length; i++) {
            // Columns added since the start are not known to be fixed-length: kept.
            if (!fixed.contains(row.columns[i]) && !ChangeEvent.UNCHANGED_TOAST.equals(row.after[i])) {
                columns.add(row.columns[i]);
                values.add(row.after[i]);
            }
        }
        if (columns.isEmpty()) {
            return;
        }
        image.update(new ToastImage(columns.toArray(new String[0]), values.toArray(new String[0])));
    }

    @Override
    public void close() {
        lookup.close();
    }
}
