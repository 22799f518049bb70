package dev.walflow.bench;

import org.apache.flink.util.TimeUtils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The local run's command line: its own flags, and every other {@code --key value} passed
 * through to the job. Without {@code --config} the run uses the embedded default (PostgreSQL,
 * demo schema and workload); with it, the databases the file names.
 */
public final class LocalRunArgs {

    public static final int DEFAULT_PG_PORT = 15432;
    public static final int DEFAULT_UI_PORT = 8081;
    public static final int DEFAULT_METRICS_PORT = 9249;
    public static final double DEFAULT_RATE = 200;
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(5);

    private final boolean help;
    private final String configFile;
    private final int pgPort;
    private final int uiPort;
    private final int metricsPort;
    private final double rate;
    private final Duration progressInterval;
    private final List<String> jobArgs;

    private LocalRunArgs(
            boolean help,
            String configFile,
            int pgPort,
            int uiPort,
            int metricsPort,
            double rate,
            Duration progressInterval,
            List<String> jobArgs) {
        this.help = help;
        this.configFile = configFile;
        this.pgPort = pgPort;
        this.uiPort = uiPort;
        this.metricsPort = metricsPort;
        this.rate = rate;
        this.progressInterval = progressInterval;
        this.jobArgs = Collections.unmodifiableList(jobArgs);
    }

    /**
     * Parses the command line.
     *
     * @throws IllegalArgumentException naming the flag and the value when one is malformed
     */
    public static LocalRunArgs parse(String... args) {
        boolean help = false;
        String configFile = null;
        Integer pgPort = null;
        int uiPort = DEFAULT_UI_PORT;
        int metricsPort = DEFAULT_METRICS_PORT;
        Double rate = null;
        Duration progressInterval = DEFAULT_PROGRESS_INTERVAL;
        List<String> jobArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException(
                        "Unexpected argument '" + arg + "': flags and parameters are given as"
                                + " --key value");
            }
            String key = arg.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + key + " has no value");
            }
            switch (key) {
                case "config":
                    configFile = value;
                    break;
                case "pg-port":
                    pgPort = port(key, value, true);
                    break;
                case "ui-port":
                    uiPort = port(key, value, false);
                    break;
                case "metrics-port":
                    metricsPort = port(key, value, true);
                    break;
                case "rate":
                    rate = rate(value);
                    break;
                case "progress-interval":
                    progressInterval = interval(value);
                    break;
                default:
                    jobArgs.add("--" + key);
                    jobArgs.add(value);
            }
        }
        if (configFile != null && (pgPort != null || rate != null)) {
            throw new IllegalArgumentException(
                    (pgPort != null ? "--pg-port" : "--rate")
                            + " applies to the embedded default only, not with --config "
                            + configFile);
        }
        return new LocalRunArgs(
                help,
                configFile,
                pgPort == null ? DEFAULT_PG_PORT : pgPort,
                uiPort,
                metricsPort,
                rate == null ? DEFAULT_RATE : rate,
                progressInterval,
                jobArgs);
    }

    public static String usage() {
        return String.join(
                "\n",
                "Usage: deploy/local.sh [flags] [--key value ...]",
                "",
                "Runs walflow on a local Flink cluster with the web UI. Without --config it starts",
                "an embedded PostgreSQL with databases 'source' and 'target', a demo schema and a",
                "workload, and replicates source to target. With --config it runs against the",
                "databases the file names. Every other --key value is a job parameter (below) and",
                "overrides the defaults and the file.",
                "",
                "Flags:",
                "  --config FILE               job parameters file; no embedded PostgreSQL, no workload",
                "  --pg-port N                 port of the embedded PostgreSQL, 0 for a free one"
                        + " (default: " + DEFAULT_PG_PORT + ")",
                "  --rate N                    demo workload transactions per second, 0 for none"
                        + " (default: " + (long) DEFAULT_RATE + ")",
                "  --ui-port N                 port of the Flink web UI and REST API (default: "
                        + DEFAULT_UI_PORT + ")",
                "  --metrics-port N            port of the Prometheus metrics endpoint, 0 for none (default: "
                        + DEFAULT_METRICS_PORT + ")",
                "  --progress-interval T       time between progress lines, e.g. 5s or 500ms"
                        + " (default: 5s)",
                "  --help                      this text",
                "");
    }

    private static int port(String key, String value, boolean zeroAllowed) {
        int port;
        try {
            port = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < (zeroAllowed ? 0 : 1) || port > 65_535) {
            throw new IllegalArgumentException(
                    "Invalid value '" + value + "' for --" + key + ": expected a port number "
                            + (zeroAllowed ? "from 0 (any free port)" : "from 1") + " to 65535");
        }
        return port;
    }

    private static double rate(String value) {
        double rate;
        try {
            rate = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            rate = -1;
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException(
                    "Invalid value '" + value + "' for --rate: expected transactions per second,"
                            + " 0 or more");
        }
        return rate;
    }

    private static Duration interval(String value) {
        Duration interval;
        try {
            String v = value.trim();
            // A bare number means seconds here (Flink's parser would read milliseconds).
            interval =
                    v.chars().allMatch(Character::isDigit) && !v.isEmpty()
                            ? Duration.ofSeconds(Long.parseLong(v))
                            : TimeUtils.parseDuration(v);
        } catch (RuntimeException e) {
            interval = Duration.ZERO;
        }
        if (interval.toMillis() < 100) {
            throw new IllegalArgumentException(
                    "Invalid value '" + value + "' for --progress-interval: expected a duration"
                            + " of at least 100ms, such as 5s");
        }
        return interval;
    }

    public boolean help() {
        return help;
    }

    /** Whether the run uses the embedded PostgreSQL and the demo workload. */
    public boolean demo() {
        return configFile == null;
    }

    /** The job parameters file, or null for the embedded default. */
    public String configFile() {
        return configFile;
    }

    public int pgPort() {
        return pgPort;
    }

    /** Port of the Prometheus endpoint, 0 for none. */
    public int metricsPort() {
        return metricsPort;
    }

    public int uiPort() {
        return uiPort;
    }

    /** Demo workload transactions per second; 0 means no workload. */
    public double rate() {
        return rate;
    }

    public Duration progressInterval() {
        return progressInterval;
    }

    /** Parameters for the job other than the local run's own, in the order given. */
    public List<String> jobArgs() {
        return jobArgs;
    }
}
