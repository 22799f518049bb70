package dev.walflow.bench;

import dev.walflow.testkit.DemoWorkload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Samples the run (sink records from the REST API, rows in the target, slot lag, workload
 * changes) and prints one human-readable line per sample. A figure that cannot be read shows as
 * "?" and the run goes on.
 */
final class ProgressReporter {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

    /** One observation; null fields could not be read or do not apply. */
    record Sample(
            long nanos,
            String state,
            Long sinkRecords,
            Long targetRows,
            Long lagBytes,
            Long workloadChanges) {}

    private final FlinkRestClient rest;
    private final String jobId;
    private final DatabaseProbe source;
    private final String slotName;
    private final DatabaseProbe target;
    private final String targetRowsSql;
    private final DemoWorkload workload;
    private final PrintStream out;
    private final LongSupplier clock;
    private final long startNanos;

    private Sample first;
    private Sample last;
    private long lastFailureTimestamp;
    /** The sink's counter starts again at 0 when the job restarts; counts before that. */
    private long sinkRecordsBeforeRestarts;
    private long lastRawSinkRecords;

    /**
     * @param target the target database, or null when rows are not counted
     * @param tables the tables whose rows are counted in the target
     * @param workload the demo workload, or null when there is none
     */
    ProgressReporter(
            FlinkRestClient rest,
            String jobId,
            DatabaseProbe source,
            String slotName,
            DatabaseProbe target,
            List<String> tables,
            DemoWorkload workload,
            PrintStream out) {
        this.rest = rest;
        this.jobId = jobId;
        this.source = source;
        this.slotName = slotName;
        this.target = target;
        this.targetRowsSql = countSql(tables);
        this.workload = workload;
        this.out = out;
        this.clock = System::nanoTime;
        this.startNanos = clock.getAsLong();
    }

    static String countSql(List<String> tables) {
        StringBuilder sql = new StringBuilder("SELECT 0");
        for (String table : tables) {
            sql.append(" + (SELECT count(*) FROM ").append(table).append(")");
        }
        return sql.toString();
    }

    /** Takes a sample, prints its line and any new job failure. */
    synchronized Sample report() {
        Sample sample = sample();
        out.println(
                format(last, sample, Duration.ofNanos(sample.nanos() - startNanos), target != null));
        printNewFailure();
        if (first == null) {
            first = sample;
        }
        last = sample;
        return sample;
    }

    /** The latest sample printed, or null. */
    synchronized Sample last() {
        return last;
    }

    /** Mean sink events per second between the first and the latest sample, or null. */
    synchronized Double meanSinkRate() {
        if (first == null || last == first || first.sinkRecords() == null
                || last.sinkRecords() == null) {
            return null;
        }
        return perSecond(last.sinkRecords() - first.sinkRecords(), last.nanos() - first.nanos());
    }

    Duration elapsed() {
        return Duration.ofNanos(clock.getAsLong() - startNanos);
    }

    private Sample sample() {
        String state = null;
        Long sinkRecords = null;
        try {
            FlinkRestClient.JobView job = rest.job(jobId);
            state = job.state();
            sinkRecords = accumulate(job.sinkRecords());
        } catch (Exception e) {
            LOG.debug("Cannot read the job from the REST API", e);
        }
        Long lag = null;
        try {
            lag =
                    source.queryLong(
                            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
                                    + " FROM pg_replication_slots WHERE slot_name = ?",
                            slotName);
        } catch (Exception e) {
            LOG.debug("Cannot read the lag of slot {}", slotName, e);
        }
        Long rows = null;
        if (target != null) {
            try {
                rows = target.queryLong(targetRowsSql);
            } catch (Exception e) {
                LOG.debug("Cannot count the rows in the target", e);
            }
        }
        Long changes = workload == null ? null : workload.changesWritten();
        return new Sample(clock.getAsLong(), state, sinkRecords, rows, lag, changes);
    }

    /**
     * Turns the sink's records since the latest (re)start into records since the first start
     * (changes replayed after a restart count again: they pass the sink again).
     */
    private long accumulate(long raw) {
        if (raw < lastRawSinkRecords) {
            sinkRecordsBeforeRestarts += lastRawSinkRecords;
        }
        lastRawSinkRecords = raw;
        return sinkRecordsBeforeRestarts + raw;
    }

    private void printNewFailure() {
        try {
            FlinkRestClient.Failure failure = rest.latestFailure(jobId);
            if (failure != null && failure.timestamp() > lastFailureTimestamp) {
                lastFailureTimestamp = failure.timestamp();
                out.println(
                        "          job failure"
                                + (failure.task() == null ? "" : " in " + failure.task()) + ": "
                                + failure.summary());
            }
        } catch (Exception e) {
            LOG.debug("Cannot read the job's exceptions from the REST API", e);
        }
    }

    /** One progress line: state, sink rate and total, target rows, lag, workload changes. */
    static String format(
            Sample previous, Sample current, Duration elapsed, boolean showTargetRows) {
        StringBuilder line = new StringBuilder();
        long seconds = elapsed.toSeconds();
        line.append(String.format(Locale.ROOT, "[%3d:%02d] ", seconds / 60, seconds % 60));
        line.append(String.format(Locale.ROOT, "%-11s", current.state() == null ? "?" : current.state()));
        line.append(" sink ");
        Double rate = null;
        if (previous != null && previous.sinkRecords() != null && current.sinkRecords() != null) {
            rate =
                    perSecond(
                            current.sinkRecords() - previous.sinkRecords(),
                            current.nanos() - previous.nanos());
        }
        line.append(rate == null ? "?" : number(Math.round(rate))).append(" ev/s, ");
        line.append(number(current.sinkRecords())).append(" total");
        if (showTargetRows) {
            line.append(" | target rows ").append(number(current.targetRows()));
        }
        line.append(" | lag ").append(number(current.lagBytes())).append(" B");
        if (current.workloadChanges() != null) {
            line.append(" | workload ").append(number(current.workloadChanges())).append(" changes");
        }
        return line.toString();
    }

    /** The closing lines: totals of the last sample and of the workload. */
    synchronized void printSummary() {
        Double mean = meanSinkRate();
        long seconds = elapsed().toSeconds();
        out.println();
        out.printf(Locale.ROOT, "walflow local run ended after %d:%02d%n", seconds / 60, seconds % 60);
        if (last != null) {
            out.println(
                    "  sink      " + number(last.sinkRecords()) + " events"
                            + (mean == null ? "" : ", " + decimal(mean) + " ev/s on average"));
            if (target != null) {
                out.println("  target    " + number(last.targetRows()) + " rows");
            }
            out.println("  slot lag  " + number(last.lagBytes()) + " B");
        }
        if (workload != null) {
            out.println(
                    "  workload  " + number(workload.changesWritten()) + " changes in "
                            + number(workload.transactionsCommitted()) + " transactions, "
                            + workload.failures() + " failed");
        }
    }

    static String decimal(double value) {
        return value == Math.rint(value)
                ? String.format(Locale.ROOT, "%,d", (long) value)
                : String.format(Locale.ROOT, "%,.1f", value);
    }

    static double perSecond(long count, long nanos) {
        return nanos <= 0 ? 0 : count * 1e9 / nanos;
    }

    static String number(Long value) {
        return value == null ? "?" : String.format(Locale.ROOT, "%,d", value);
    }
}
