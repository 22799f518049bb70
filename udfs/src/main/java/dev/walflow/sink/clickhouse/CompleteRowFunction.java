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
 * <p>The state is kept only where PostgreSQL can TOAST: it moves values out of line only when a
 * row exceeds about 2 kB ({@code TOAST_TUPLE_THRESHOLD}), and only values of variable-length
 * types. A stored row is at most about four times its text (an {@code int8[]} of one-digit
 * values; multibyte text is three), so only rows of at least {@value #MIN_TOASTABLE_ROW_CHARS}
 * characters keep the values of their variable-length columns, costing about their size (see
 * README). A DELETE, or a row that became small, drops the row's state. A miss is not wrong,
 * only slower: the source row is read.
 */
public final class CompleteRowFunction extends KeyedProcessFunction<String, ChangeEvent, ChangeEvent> {

    private static final long serialVersionUID = 1L;

    /** Rows with less text cannot hold an out-of-line value: PostgreSQL TOASTs rows over ~2 kB. */
    static final int MIN_TOASTABLE_ROW_CHARS = 500;

    private static final String STATE_NAME = "walflow-toast-image";

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
        ValueStateDescriptor<ToastImage> descriptor = new ValueStateDescriptor<>(STATE_NAME, ToastImage.class);
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
        long chars = 0;
        for (String v : row.after) {
            chars += v == null ? 0 : v.length();
        }
        if (chars < MIN_TOASTABLE_ROW_CHARS) {
            image.clear();
            return;
        }
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
            image.clear();
            return;
        }
        image.update(new ToastImage(columns.toArray(new String[0]), values.toArray(new String[0])));
    }

    @Override
    public void close() {
        lookup.close();
    }
}
