package dev.walflow.verify;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Separates replication lag from real differences. A row that differs is read again once the
 * target has applied everything the source had committed when it was first read (see {@link
 * TargetCatchUp}): if it now matches, the target was only behind; if the source still holds the
 * value first read and the target still differs, the difference is real. A row the source
 * changed meanwhile is tried again, up to {@link #ROUNDS} times.
 */
final class LagResolver {

    static final int ROUNDS = 5;

    private final Connection source;
    private final RangeComparer comparer;
    private final TargetCatchUp catchUp;
    private final Duration timeout;

    LagResolver(Connection source, RangeComparer comparer, TargetCatchUp catchUp, Duration timeout) {
        this.source = source;
        this.comparer = comparer;
        this.catchUp = catchUp;
        this.timeout = timeout;
    }

    /** Returns the rows that differ for good; counts the others into {@code result}. */
    List<RowDiff> confirm(List<RowDiff> candidates, RangeResult result, int maxRows)
            throws SQLException, InterruptedException {
        List<RowDiff> confirmed = new ArrayList<>();
        Map<List<String>, RowDiff> pending = new LinkedHashMap<>();
        candidates.forEach(d -> pending.put(d.key, d));
        for (int round = 0; round < ROUNDS && !pending.isEmpty(); round++) {
            String lsn = TargetCatchUp.sourcePosition(source);
            if (!catchUp.await(lsn, timeout)) {
                result.lagging += pending.size();
                note(result, pending.values(), "lagging", maxRows);
                return confirmed;
            }
            Map<List<String>, RowDiff> moving = new LinkedHashMap<>();
            for (RowDiff before : pending.values()) {
                RowDiff now = comparer.reread(before.key);
                if (!now.differs()) {
                    result.lagResolved++;
                } else if (Objects.equals(now.sourceRow, before.sourceRow)) {
                    confirmed.add(now);
                } else {
                    moving.put(now.key, now);
                }
            }
            pending.clear();
            pending.putAll(moving);
        }
        result.unsettled += pending.size();
        note(result, pending.values(), "unsettled", maxRows);
        return confirmed;
    }

    private static void note(RangeResult result, Iterable<RowDiff> rows, String kind, int maxRows) {
        for (RowDiff d : rows) {
            if (result.rows.size() >= maxRows) {
                return;
            }
            RangeResult.Row row = new RangeResult.Row(d, false);
            row.kind = kind;
            result.rows.add(row);
        }
    }
}
