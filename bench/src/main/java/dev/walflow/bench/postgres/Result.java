package dev.walflow.bench.postgres;

import java.util.List;
import java.util.Locale;

/**
 * One walflow figure beside PostgreSQL's limit for the same rows, measured in the same run.
 *
 * @param what the workload or the snapshot's table size
 * @param mode the delivery guarantee
 * @param count rows or events
 * @param seconds walflow's time for them
 * @param limitName what the limit is ({@code pg_recvlogical}, {@code COPY})
 * @param limitSeconds the limit's time for the same rows
 * @param writeSeconds the source's own time to write those rows or changes (what the target has
 *     to do again to apply them), NaN when not measured
 * @param p50 commit-to-target latency, ms (NaN when not measured)
 * @param p99 commit-to-target latency, ms
 * @param memory the job's memory peaks while walflow worked
 * @param cpu CPU time of the job and of PostgreSQL's processes while walflow worked
 */
record Result(String what, String mode, long count, double seconds, String limitName, double limitSeconds,
        double writeSeconds, double p50, double p99, MemorySampler.Peaks memory, CpuMeter.Cpu cpu) {

    static final String HEADER = "| measurement | mode | rows/events | walflow s | walflow /s | limit | limit /s | ratio"
            + " | source write /s | ÷ write | p50 ms | p99 ms | heap peak MiB | heap after GC MiB | RSS peak MiB |";
    static final String RULE = "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
    static final String CPU_HEADER = "| measurement | mode | walflow /s | cores busy | job µs/event | of which JIT"
            + " | of which GC | walsender µs/event | source backends µs/event | target backends µs/event"
            + " | rest of PostgreSQL µs/event | all µs/event |";
    static final String CPU_RULE = "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    double rate() {
        return count / seconds;
    }

    double limitRate() {
        return count / limitSeconds;
    }

    double ratio() {
        return rate() / limitRate();
    }

    /** The source's own write rate for the same rows or changes. */
    double writeRate() {
        return count / writeSeconds;
    }

    String row() {
        return String.format(Locale.ROOT, "| %s | %s | %,d | %.1f | %,.0f | %s | %,.0f | %.3f | %s | %s | %s | %s | %d | %d | %d |",
                what, mode, count, seconds, rate(), limitName, limitRate(), ratio(),
                Double.isNaN(writeSeconds) ? "—" : String.format(Locale.ROOT, "%,.0f", writeRate()),
                Double.isNaN(writeSeconds) ? "—" : String.format(Locale.ROOT, "%.2f", rate() / writeRate()),
                ms(p50), ms(p99), memory.heapUsed(), memory.heapLive(), memory.rss());
    }

    /** Where the CPU went while walflow worked: cores in use on average, and CPU per row or event by part. */
    String cpuRow() {
        return String.format(Locale.ROOT, "| %s | %s | %,.0f | %.2f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |",
                what, mode, rate(), cpu.total() / seconds, perEvent(cpu.job()), perEvent(cpu.jit()), perEvent(cpu.gc()),
                perEvent(cpu.walsender()),
                perEvent(cpu.source()), perEvent(cpu.target()), perEvent(cpu.otherServer()), perEvent(cpu.total()));
    }

    private double perEvent(double cpuSeconds) {
        return cpuSeconds * 1e6 / count;
    }

    static String table(List<Result> results) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n').append(RULE).append('\n');
        results.forEach(r -> sb.append(r.row()).append('\n'));
        return sb.toString();
    }

    static String cpuTable(List<Result> results) {
        StringBuilder sb = new StringBuilder(CPU_HEADER).append('\n').append(CPU_RULE).append('\n');
        results.forEach(r -> sb.append(r.cpuRow()).append('\n'));
        return sb.toString();
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.0f", v);
    }
}
