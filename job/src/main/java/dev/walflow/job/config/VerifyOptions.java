package dev.walflow.job.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/** Options of {@code VerifyJob}, the batch job that compares every target with the source. */
public final class VerifyOptions {

    private VerifyOptions() {}

    public static final ConfigOption<Boolean> REPAIR =
            ConfigOptions.key("verify.repair")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "VerifyJob: also repair what differs (same as --repair): rows are written again from the source"
                                    + " and rows without history get synthetic changes. Needs UPDATE on the source tables to lock the rows"
                                    + " being repaired (nothing is written there).");

    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOptions.key("verify.parallelism")
                    .intType()
                    .noDefaultValue()
                    .withDescription("VerifyJob: key ranges compared at once. Unset: the cluster's default parallelism.");

    public static final ConfigOption<Integer> RANGE_ROWS =
            ConfigOptions.key("verify.range-rows")
                    .intType()
                    .defaultValue(50_000)
                    .withDescription(
                            "VerifyJob: source rows per key range, the unit spread over the subtasks; each range is compared by count"
                                    + " and checksum inside both databases and bisected only where they differ.");

    public static final ConfigOption<Duration> LAG_TIMEOUT =
            ConfigOptions.key("verify.lag-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription(
                            "VerifyJob: how long a differing row waits for the target to apply what the source had committed"
                                    + " (walflow.progress or the slot past that position) before it is reported as lagging rather than compared again.");

    public static final ConfigOption<Boolean> HISTORY =
            ConfigOptions.key("verify.history")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "VerifyJob: check change_history too (when history.enabled): each row's last recorded change must match the row.");

    public static final ConfigOption<Integer> MAX_REPORTED_ROWS =
            ConfigOptions.key("verify.max-reported-rows")
                    .intType()
                    .defaultValue(100)
                    .withDescription("VerifyJob: differing rows listed in the report (all are counted).");

    public static final ConfigOption<String> REPORT_FILE =
            ConfigOptions.key("verify.report-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "VerifyJob: write the JSON report to this file as well (it is always kept in <walflow.schema>.health_check_state.report).");

    public static final ConfigOption<Duration> INTERVAL =
            ConfigOptions.key("verify.interval")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "VerifyJob: run again this long after each run ends, until stopped (each run is its own Flink batch job and"
                                    + " health_check_state row). Unset: run once and exit with the outcome as status.");
}
