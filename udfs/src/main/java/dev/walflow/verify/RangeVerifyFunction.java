package dev.walflow.verify;

import dev.walflow.jdbc.Connections;
import dev.walflow.sink.clickhouse.ClickHouseRepairWriter;
import dev.walflow.sink.history.HistorySink;
import dev.walflow.sink.postgres.PostgresSink;
import dev.walflow.sink.txn.TransactionalWriter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies one key range per input: compares it ({@link RangeComparer}), sets lag apart from
 * real differences ({@link LagResolver}), repairs what differs when asked ({@link RowRepairer}),
 * checks change_history ({@link HistoryChecker}) and ClickHouse's keys ({@link ClickHouseKeyChecker}), adds the range to the run's row in
 * health_check_state and emits its {@link RangeResult} as JSON. A failing range is reported
 * with its error; the others go on.
 */
public final class RangeVerifyFunction extends RichFlatMapFunction<KeyRange, String> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RangeVerifyFunction.class);

    private final VerifySettings settings;

    private transient Connection source;
    private transient Connection target;
    private transient Connection history;
    private transient Connection clickHouse;
    private transient Map<String, TableSql> sql;
    private transient Map<String, RowRepairer> repairers;
    private transient Counter recordsScanned;
    private transient Counter mismatches;

    public RangeVerifyFunction(VerifySettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        sql = new HashMap<>();
        repairers = new HashMap<>();
        recordsScanned = getRuntimeContext().getMetricGroup().counter("walflowVerifyRecordsScanned");
        mismatches = getRuntimeContext().getMetricGroup().counter("walflowVerifyMismatches");
    }

    @Override
    public void flatMap(KeyRange range, Collector<String> out) throws Exception {
        RangeResult result = new RangeResult(range.table, range.toString());
        try {
            verify(range, result);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Verifying {} failed: {}", range, TransactionalWriter.describe(e), e);
            result.errors.add(TransactionalWriter.describe(e));
            closeConnections();
        }
        recordsScanned.inc(result.recordsScanned);
        mismatches.inc(result.mismatches());
        try {
            connect();
            new HealthCheckState(settings.target().walflowSchema()).addRange(target, settings.checkId(), result);
        } catch (SQLException e) {
            LOG.warn("Could not count {} into health_check_state: {}", range, e.getMessage());
            closeConnections();
        }
        out.collect(result.toJson());
    }

    private void verify(KeyRange range, RangeResult result) throws SQLException, InterruptedException {
        connect();
        TableSql table = sql.computeIfAbsent(range.table, settings::sql);
        RangeComparer comparer = new RangeComparer(source, target, table);
        long[] scanned = {0};
        List<RowDiff> candidates = comparer.differences(range, scanned);
        result.recordsScanned = scanned[0];
        TargetCatchUp catchUp = new TargetCatchUp(source, target, settings.slotName(),
                settings.target().walflowSchema(), settings.target().jobName(), PostgresSink.NAME);
        int maxRows = settings.maxReportedRows();
        List<RowDiff> confirmed = candidates.isEmpty()
                ? candidates
                : new LagResolver(source, comparer, catchUp, settings.lagTimeout()).confirm(candidates, result, maxRows);
        Set<List<String>> repaired = Set.of();
        if (settings.repair() && !confirmed.isEmpty()) {
            repaired = repairers.computeIfAbsent(range.table,
                    t -> new RowRepairer(source, target, table, catchUp, settings.lagTimeout())).repair(confirmed);
        }
        for (RowDiff d : confirmed) {
            result.add(d, repaired.contains(d.key), maxRows);
        }
        if (settings.history() != null) {
            TargetCatchUp historyCatchUp = new TargetCatchUp(source, history, settings.slotName(),
                    settings.history().walflowSchema(), settings.history().jobName(), HistorySink.NAME);
            new HistoryChecker(source, history, table, settings, historyCatchUp).check(range, result);
        }
        if (clickHouse != null) {
            TargetCatchUp slotOnly = new TargetCatchUp(source, null, settings.slotName(), null, null, null);
            ClickHouseRepairer chRepairer = settings.repair()
                    ? new ClickHouseRepairer(source, clickHouse, table,
                            new ClickHouseRepairWriter(settings.clickHouse(), table.table()), settings.lagTimeout())
                    : null;
            new ClickHouseKeyChecker(source, clickHouse, settings.clickHouse().database(), table.table(), slotOnly,
                    settings.lagTimeout(), chRepairer).check(range, result, maxRows);
        }
    }

    private void connect() throws SQLException {
        if (source == null) {
            source = Connections.open(settings.sourceUrl(), settings.sourceProperties());
        }
        if (target == null) {
            target = Connections.open(settings.target().url(), settings.targetProperties(settings.target()));
            repairers.clear();
        }
        if (clickHouse == null && settings.clickHouse() != null) {
            clickHouse = Connections.open(settings.clickHouse().url(), settings.clickHouse().connectionProperties());
        }
        if (history == null && settings.history() != null) {
            history = Connections.open(settings.history().url(), settings.targetProperties(settings.history()));
        }
    }

    private void closeConnections() {
        Connections.closeQuietly(source);
        Connections.closeQuietly(target);
        Connections.closeQuietly(history);
        Connections.closeQuietly(clickHouse);
        clickHouse = null;
        source = null;
        target = null;
        history = null;
        repairers.clear();
    }

    @Override
    public void close() {
        closeConnections();
    }
}
