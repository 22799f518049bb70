package dev.walflow.bench.postgres;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sizes of a run. Every size is fixed (no size depends on the machine), so two runs write the
 * same rows; {@code --quick} is the smoke size the tests use.
 *
 * @param snapshotRows row counts of the snapshot tables, one job each
 * @param streamEvents changes per streaming workload (pgbench writes a fifth, the wide rows a tenth:
 *     {@link Workload#eventsOf})
 * @param latencySeconds how long each latency measurement runs
 * @param mixPreload rows of the update-heavy table before streaming
 * @param widePreload rows of the wide table before streaming
 * @param pgbenchScale pgbench's scale factor (100,000 accounts each)
 * @param modes delivery guarantees to stream with
 * @param workloads workloads to stream ({@code bulk}, {@code mix}, {@code pgbench}, {@code toast})
 * @param stages parts of walflow measured alone on the same rows ({@code capture}: everything but
 *     the target; {@code connector}: Flink CDC's source alone), on the first snapshot size and
 *     every workload
 * @param out folder for results.md and the chart
 * @param jobArgs further job parameters of every job the run starts, for trying settings
 */
record BenchmarkSettings(List<Long> snapshotRows, long streamEvents, int latencySeconds, long mixPreload,
        long widePreload, int pgbenchScale, List<String> modes, List<String> workloads, List<String> stages,
        Path out, List<String> jobArgs) {

    static final String USAGE = "usage: deploy/bench.sh [--quick] [--snapshot-rows N,N|none] [--stream-events N]"
            + " [--latency-seconds N] [--modes exactly-once,at-least-once|none] [--workloads bulk,mix,pgbench,toast]"
            + " [--stages capture,connector|none] [--out DIR] [--job-arg --key=value]...";

    static BenchmarkSettings full() {
        return new BenchmarkSettings(List.of(1_000_000L, 10_000_000L), 1_000_000, 20, 100_000, 2_000, 1,
                List.of("exactly-once", "at-least-once"), List.of("bulk", "mix", "pgbench", "toast"),
                List.of("capture", "connector"), Path.of("bench/results"), List.of());
    }

    static BenchmarkSettings quick() {
        return new BenchmarkSettings(List.of(5_000L), 4_000, 2, 2_000, 100, 1,
                List.of("exactly-once", "at-least-once"), List.of("bulk", "mix", "pgbench", "toast"),
                List.of("capture", "connector"), Path.of("bench/results"), List.of());
    }

    static BenchmarkSettings parse(String... args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        BenchmarkSettings s = quick ? quick() : full();
        List<Long> snapshotRows = s.snapshotRows;
        long streamEvents = s.streamEvents;
        int latencySeconds = s.latencySeconds;
        List<String> modes = s.modes;
        List<String> workloads = s.workloads;
        List<String> stages = s.stages;
        Path out = s.out;
        List<String> jobArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (key.equals("--quick")) {
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Missing value after " + key + "; " + USAGE);
            }
            String value = args[++i];
            switch (key) {
                case "--snapshot-rows" -> snapshotRows = value.equals("none") ? List.of()
                        : Arrays.stream(value.split(",")).map(v -> number(key, v)).toList();
                case "--stream-events" -> streamEvents = number(key, value);
                case "--latency-seconds" -> latencySeconds = (int) number(key, value);
                case "--modes" -> modes = value.equals("none") ? List.of()
                        : choices(key, value, List.of("exactly-once", "at-least-once"));
                case "--workloads" -> workloads = choices(key, value, List.of("bulk", "mix", "pgbench", "toast"));
                case "--stages" -> stages = value.equals("none") ? List.of()
                        : choices(key, value, List.of("capture", "connector"));
                case "--out" -> out = Path.of(value);
                case "--job-arg" -> {
                    int eq = value.indexOf('=');
                    if (!value.startsWith("--") || eq < 0) {
                        throw new IllegalArgumentException("--job-arg takes --key=value, got '" + value + "'");
                    }
                    jobArgs.add(value.substring(0, eq));
                    jobArgs.add(value.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("Unknown argument " + key + "; " + USAGE);
            }
        }
        return new BenchmarkSettings(snapshotRows, streamEvents, latencySeconds, s.mixPreload, s.widePreload,
                s.pgbenchScale, modes, workloads, stages, out, jobArgs);
    }

    private static long number(String key, String value) {
        try {
            long n = Long.parseLong(value.replace("_", ""));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("Invalid value '" + value + "' for " + key + ": expected a positive number");
    }

    private static List<String> choices(String key, String value, List<String> allowed) {
        List<String> chosen = Arrays.asList(value.split(","));
        for (String c : chosen) {
            if (!allowed.contains(c)) {
                throw new IllegalArgumentException("Invalid value '" + c + "' for " + key + ": expected some of " + allowed);
            }
        }
        return chosen;
    }
}
