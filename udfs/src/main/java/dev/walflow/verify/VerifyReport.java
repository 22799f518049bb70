package dev.walflow.verify;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The outcome of a verification run: totals, per-table counts, the first differing rows. */
public final class VerifyReport extends VerifyCounts {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What a run concluded, and the exit status that says it. */
    public enum Status {
        CONSISTENT(0),
        REPAIRED(0),
        INCONSISTENT(1),
        LAGGING(2),
        FAILED(3);

        private final int exitCode;

        Status(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Counts of one table. */
    public static final class TableCounts {
        public long recordsScanned;
        public long missing;
        public long extra;
        public long different;
        public long missingHistory;
        public long staleHistory;
        public long clickHouseMissing;
        public long clickHouseExtra;
    }

    /** A reported row with its table. */
    public static final class ReportedRow {
        public String table;
        public String kind;
        public List<String> key;
        public String source;
        public String target;
        public boolean repaired;
    }

    public long checkId;
    public String job;
    public String mode;
    public String target;
    /** Whether a ClickHouse copy was checked too. */
    public boolean clickHouse;
    public String startedAt;
    public long durationMillis;
    public int tablesChecked;
    public int rangesChecked;
    public Map<String, TableCounts> tables = new LinkedHashMap<>();
    public List<ReportedRow> rows = new ArrayList<>();
    public List<String> errors = new ArrayList<>();
    public List<String> notes = new ArrayList<>();
    private int maxRows = 100;

    public VerifyReport() {}

    public VerifyReport(long checkId, String job, String mode, String target, String startedAt, int maxRows) {
        this.checkId = checkId;
        this.job = job;
        this.mode = mode;
        this.target = target;
        this.startedAt = startedAt;
        this.maxRows = maxRows;
    }

    public void add(RangeResult r) {
        rangesChecked++;
        addCounts(r);
        TableCounts t = tables.computeIfAbsent(r.table, k -> new TableCounts());
        t.recordsScanned += r.recordsScanned;
        t.missing += r.missing;
        t.extra += r.extra;
        t.different += r.different;
        t.missingHistory += r.missingHistory;
        t.staleHistory += r.staleHistory;
        t.clickHouseMissing += r.clickHouseMissing;
        t.clickHouseExtra += r.clickHouseExtra;
        for (RangeResult.Row row : r.rows) {
            if (rows.size() >= maxRows) {
                break;
            }
            ReportedRow out = new ReportedRow();
            out.table = r.table;
            out.kind = row.kind;
            out.key = row.key;
            out.source = row.source;
            out.target = row.target;
            out.repaired = row.repaired;
            rows.add(out);
        }
        for (String e : r.errors) {
            errors.add(r.range + ": " + e);
        }
    }

    /** Errors first, then differences left unrepaired, then lag; a full repair counts as fixed. */
    @JsonIgnore
    public Status status() {
        if (!errors.isEmpty()) {
            return Status.FAILED;
        }
        long found = mismatches() + historyMismatches();
        long fixed = rowsRepaired() + syntheticChanges;
        if (found > fixed) {
            return Status.INCONSISTENT;
        }
        if (laggingRows() > 0) {
            return Status.LAGGING;
        }
        return found > 0 ? Status.REPAIRED : Status.CONSISTENT;
    }

    /** The status as JSON includes it. */
    public String getStatus() {
        return status().label();
    }

    public void setStatus(String ignored) {
        // derived from the counts
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot render the verify report", e);
        }
    }

    String errorsJson() {
        try {
            return new ObjectMapper().writeValueAsString(errors);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static VerifyReport fromJson(String json) {
        try {
            return JSON.readValue(json, VerifyReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot read a verify report", e);
        }
    }

    /** The report for people: outcome, totals, per-table lines, the first rows. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "walflow verify #%d (%s) of job %s against %s: %s%n",
                checkId, mode, job, target, status().label().toUpperCase(Locale.ROOT)));
        sb.append(String.format(Locale.ROOT,
                "  %d tables, %d ranges, %,d records scanned in %.1f s%n",
                tablesChecked, rangesChecked, recordsScanned, durationMillis / 1000.0));
        sb.append(String.format(Locale.ROOT,
                "  mismatches: %d missing, %d extra, %d different; %d repaired%n", missing, extra, different, repaired));
        sb.append(String.format(Locale.ROOT,
                "  change_history: %d rows without history, %d with stale history; %d synthetic changes created%n",
                missingHistory, staleHistory, syntheticChanges));
        if (clickHouse) {
            sb.append(String.format(Locale.ROOT, "  ClickHouse: %d keys missing, %d extra (keys compared, not values); %d repaired%n",
                    clickHouseMissing, clickHouseExtra, clickHouseRepaired));
        }
        sb.append(String.format(Locale.ROOT,
                "  lag: %d rows matched once the target caught up, %d still lagging, %d kept changing%n",
                lagResolved, lagging, unsettled));
        tables.forEach((name, t) -> {
            if (t.missing + t.extra + t.different + t.missingHistory + t.staleHistory + t.clickHouseMissing + t.clickHouseExtra > 0) {
                sb.append(String.format(Locale.ROOT,
                        "  %s: %d missing, %d extra, %d different, %d without history, %d stale history,"
                                + " %d missing and %d extra in ClickHouse%n",
                        name, t.missing, t.extra, t.different, t.missingHistory, t.staleHistory,
                        t.clickHouseMissing, t.clickHouseExtra));
            }
        });
        for (ReportedRow r : rows) {
            sb.append(String.format(Locale.ROOT, "    %s %s key %s%s%n", r.kind, r.table, r.key, r.repaired ? " (repaired)" : ""));
        }
        for (String e : errors) {
            sb.append("  error: ").append(e).append(System.lineSeparator());
        }
        for (String n : notes) {
            sb.append("  note: ").append(n).append(System.lineSeparator());
        }
        return sb.toString();
    }
}
