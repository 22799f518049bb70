package dev.walflow.bench.postgres;

import com.sun.management.GarbageCollectorMXBean;
import com.sun.management.GcInfo;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Peak memory of this JVM, which runs the job (a MiniCluster in process): heap in use, heap in
 * use right after a garbage collection (what the job holds, less the garbage between
 * collections), and resident set size. {@link #reset()} starts a new measurement.
 */
final class MemorySampler implements AutoCloseable {

    /** Peaks in MiB. */
    record Peaks(long heapUsed, long heapLive, long rss) {}

    private final Thread thread;
    private final List<GarbageCollectorMXBean> collectors =
            ManagementFactory.getPlatformMXBeans(GarbageCollectorMXBean.class);
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private volatile long heapUsed;
    private volatile long heapLive;
    private volatile long rss;
    private volatile boolean running = true;

    MemorySampler() {
        thread = new Thread(this::sample, "bench-memory-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    synchronized void reset() {
        heapUsed = 0;
        heapLive = 0;
        rss = 0;
    }

    /** The peaks since {@link #reset()}, including a reading taken now (a measurement may be shorter than the period). */
    synchronized Peaks peaks() {
        takeSample();
        return new Peaks(heapUsed >> 20, heapLive >> 20, rss >> 20);
    }

    private synchronized void takeSample() {
        heapUsed = Math.max(heapUsed, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        heapLive = Math.max(heapLive, heapAfterLastCollection());
        rss = Math.max(rss, residentBytes());
    }

    private void sample() {
        while (running) {
            takeSample();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Heap in use right after the newest collection: live data plus what it did not reach. */
    private long heapAfterLastCollection() {
        long least = 0;
        long newest = -1;
        for (GarbageCollectorMXBean collector : collectors) {
            GcInfo info = collector.getLastGcInfo();
            if (info == null || info.getEndTime() < newest) {
                continue;
            }
            newest = info.getEndTime();
            least = 0;
            for (Map.Entry<String, MemoryUsage> pool : info.getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(pool.getKey())) {
                    least += pool.getValue().getUsed();
                }
            }
        }
        return least;
    }

    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: no RSS figure
        }
        return 0;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
