package dev.walflow.bench.postgres;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a stage job (walflow without its target, or the CDC connector alone) has seen, shared
 * with the benchmark through statics: the job runs in this JVM's MiniCluster. A closed gate
 * holds the stage back where it would write, as the benchmark's table lock holds walflow's sink.
 */
final class StageProbe {

    private static final AtomicLong EVENTS = new AtomicLong();
    private static final Set<Long> MARKERS = ConcurrentHashMap.newKeySet();
    private static volatile CountDownLatch gate = new CountDownLatch(0);

    private StageProbe() {}

    static void reset() {
        EVENTS.set(0);
        MARKERS.clear();
        gate = new CountDownLatch(0);
    }

    static void hold() {
        gate = new CountDownLatch(1);
    }

    static void release() {
        gate.countDown();
    }

    /** Called by the stage for each change; waits while the gate is closed. */
    static void seen(String table, String key) throws InterruptedException {
        gate.await();
        EVENTS.incrementAndGet();
        if (Markers.TABLE.equals(table) && key != null) {
            MARKERS.add(Long.parseLong(key));
        }
    }

    static void awaitMarker(long id, Duration timeout) throws InterruptedException {
        awaitTrue(() -> MARKERS.contains(id), "marker " + id, timeout);
    }

    static void awaitEvents(long count, Duration timeout) throws InterruptedException {
        awaitTrue(() -> EVENTS.get() >= count, count + " events", timeout);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier done, String what, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The stage job did not see " + what + " within " + timeout
                        + " (" + EVENTS.get() + " events seen)");
            }
            Thread.sleep(5);
        }
    }
}
