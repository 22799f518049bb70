package dev.walflow.bench.postgres;

import java.util.List;

/**
 * A stream of changes written at the source. Each workload is deterministic: its keys come from
 * a fixed seed, and every statement it counts changes exactly one row, so the number of events
 * the slot decodes is the number it returns.
 */
interface Workload {

    /** Short name for the result table. */
    String name();

    /** The captured tables, {@code schema.table}. */
    List<String> tables();

    /**
     * The changes this workload writes in a run of {@code streamEvents} per workload. Workloads
     * whose source writes slowly write a share of it, so that each takes a minute at most.
     */
    default long eventsOf(long streamEvents) {
        return streamEvents;
    }

    /** Creates and fills the tables (their rows are part of the job's snapshot). */
    void setUp(SourceDatabase source) throws Exception;

    /**
     * Writes at least {@code events} changes, as fast as the source takes them when
     * {@code eventsPerSecond} is 0, else paced to that rate. Returns the changes written.
     */
    long run(SourceDatabase source, long events, double eventsPerSecond) throws Exception;

    /** Sleeps so that {@code done} events since {@code startNanos} keep to the rate. */
    static void pace(long startNanos, long done, double eventsPerSecond) throws InterruptedException {
        if (eventsPerSecond <= 0) {
            return;
        }
        long due = startNanos + (long) (done / eventsPerSecond * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
