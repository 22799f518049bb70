package dev.walflow.verify;

import dev.walflow.schema.TableInfo;
import dev.walflow.sink.clickhouse.ClickHouseConfig;
import dev.walflow.sink.txn.TargetConfig;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/** What a verification run compares and how: databases, tables, limits, repair. */
public final class VerifySettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Rows a range may hold before a differing checksum splits it instead of diffing rows. */
    public static final int LEAF_ROWS = 1000;

    /** Parts a differing range is split into per step of the bisection. */
    public static final int FAN_OUT = 16;

    private final String sourceUrl;
    private final Properties sourceProperties;
    private final String slotName;
    private final TargetConfig target;
    private final TargetConfig history;
    private final List<TableInfo> tables;
    private final Duration lagTimeout;
    private final boolean repair;
    private final int maxReportedRows;
    private final long checkId;
    private final Set<String> valueHashTables;
    private final ClickHouseConfig clickHouse;

    /**
     * @param history the database holding change_history, or null to skip its completeness check
     * @param checkId this run's row in health_check_state, where progress is counted
     * @param valueHashTables tables whose checksums hash values rather than text
     * @param clickHouse the ClickHouse sink's settings, or null when there is none
     */
    public VerifySettings(
            String sourceUrl,
            Properties sourceProperties,
            String slotName,
            TargetConfig target,
            TargetConfig history,
            List<TableInfo> tables,
            Duration lagTimeout,
            boolean repair,
            int maxReportedRows,
            long checkId,
            Set<String> valueHashTables,
            ClickHouseConfig clickHouse) {
        this.sourceUrl = sourceUrl;
        this.sourceProperties = sourceProperties;
        this.slotName = slotName;
        this.target = target;
        this.history = history;
        this.tables = new ArrayList<>(tables);
        this.lagTimeout = lagTimeout;
        this.repair = repair;
        this.maxReportedRows = maxReportedRows;
        this.checkId = checkId;
        this.valueHashTables = new HashSet<>(valueHashTables);
        this.clickHouse = clickHouse;
    }

    /** The ClickHouse copy to check too, or null. */
    public ClickHouseConfig clickHouse() {
        return clickHouse;
    }

    /** The SQL of a table, checksummed by value where both servers can. */
    public TableSql sql(String eventName) {
        return new TableSql(table(eventName), valueHashTables.contains(eventName));
    }

    public String sourceUrl() {
        return sourceUrl;
    }

    /**
     * The source login with the same session settings as the target's, so both print values
     * alike.
     */
    public Properties sourceProperties() {
        Properties p = new Properties();
        p.putAll(sourceProperties);
        p.setProperty("options", sessionOptions());
        p.setProperty("ApplicationName", "walflow-verify");
        return p;
    }

    public Properties targetProperties(TargetConfig config) {
        Properties p = config.connectionProperties();
        p.setProperty("options", sessionOptions());
        p.setProperty("ApplicationName", "walflow-verify");
        p.remove("reWriteBatchedInserts");
        return p;
    }

    /** Session settings that fix every value's text form on both sides. */
    public static String sessionOptions() {
        return "-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3"
                + " -c bytea_output=hex";
    }

    public String slotName() {
        return slotName;
    }

    public TargetConfig target() {
        return target;
    }

    public TargetConfig history() {
        return history;
    }

    public List<TableInfo> tables() {
        return tables;
    }

    public TableInfo table(String eventName) {
        for (TableInfo t : tables) {
            if (t.id().eventName().equals(eventName)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Table " + eventName + " is not among the verified tables");
    }

    public Duration lagTimeout() {
        return lagTimeout;
    }

    public boolean repair() {
        return repair;
    }

    public int maxReportedRows() {
        return maxReportedRows;
    }

    public long checkId() {
        return checkId;
    }
}
