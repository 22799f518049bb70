package dev.walflow.bench.postgres;

import dev.walflow.testkit.SqlRunner;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time spent during a measurement by this JVM (which runs the job) and by the PostgreSQL
 * server's processes, read from {@code /proc}: the walsender, the backends of the source and of
 * the target database, and the rest of the server (checkpointer, WAL writer, autovacuum...).
 * Every process of a run shares the machine's cores, so these say where a measurement's time
 * went and how close it came to using every core. On a system without {@code /proc} the server's
 * figures are zero.
 */
final class CpuMeter {

    /** Linux reports process times in clock ticks of 1/100 s on every common platform. */
    private static final double SECONDS_PER_TICK = 0.01;

    /**
     * CPU seconds by part; of the job's, {@code jit} is the JIT compiler threads' and {@code gc}
     * the garbage collector's threads' (both also in {@code job}).
     */
    record Cpu(double job, double jit, double gc, double walsender, double source, double target, double otherServer) {

        double total() {
            return job + walsender + source + target + otherServer;
        }
    }

    /** Cumulative CPU of the job (with its JIT and GC threads' ticks) and of each server process at one moment. */
    record Reading(long jobNanos, long jitTicks, long gcTicks, Map<Long, ServerProcess> server) {}

    /** A server process's role and its CPU ticks so far. */
    record ServerProcess(String role, long ticks) {}

    private final long postmaster;

    private CpuMeter(long postmaster) {
        this.postmaster = postmaster;
    }

    /** A meter for the server {@code c} is connected to. */
    static CpuMeter of(Connection c) throws SQLException {
        long backend = SqlRunner.queryLong(c, "SELECT pg_backend_pid()");
        String[] stat = stat(Path.of("/proc", Long.toString(backend)));
        return new CpuMeter(stat == null ? -1 : parentPid(stat));
    }

    /** The CPU counters now; {@code source} and {@code target} name the databases whose backends count apart. */
    Reading read(String source, String target) {
        long job = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        long jit = 0;
        long gc = 0;
        // The JVM's own threads by name: the MXBeans give compilation and pause times as elapsed
        // time, which on a machine with every core busy is far more than the CPU they took.
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path thread : threads) {
                String name = threadName(thread);
                String[] stat = stat(thread);
                if (name == null || stat == null) {
                    continue;
                }
                long ticks = ticks(stat);
                if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                    jit += ticks;
                } else if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
                    gc += ticks;
                }
            }
        } catch (IOException e) {
            // no /proc: no JIT and GC figures
        }
        Map<Long, ServerProcess> server = new HashMap<>();
        if (postmaster > 0) {
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isNumber(p.getFileName().toString()))) {
                for (Path proc : procs) {
                    String[] stat = stat(proc);
                    long pid = Long.parseLong(proc.getFileName().toString());
                    if (stat != null && (pid == postmaster || parentPid(stat) == postmaster)) {
                        server.put(pid, new ServerProcess(role(proc, source, target), ticks(stat)));
                    }
                }
            } catch (IOException e) {
                // no /proc: the server's figures stay empty
            }
        }
        return new Reading(job, jit, gc, server);
    }

    /**
     * The CPU spent between two readings. A process that started in between counts with all its
     * time; one that ended in between is missing (its time cannot be read any more).
     */
    static Cpu between(Reading start, Reading end) {
        Map<String, Long> ticks = new HashMap<>();
        end.server().forEach((pid, now) -> {
            ServerProcess before = start.server().get(pid);
            long spent = now.ticks() - (before == null ? 0 : before.ticks());
            ticks.merge(now.role(), spent, Long::sum);
        });
        return new Cpu((end.jobNanos() - start.jobNanos()) / 1e9,
                (end.jitTicks() - start.jitTicks()) * SECONDS_PER_TICK, (end.gcTicks() - start.gcTicks()) * SECONDS_PER_TICK,
                seconds(ticks, "walsender"), seconds(ticks, "source"), seconds(ticks, "target"), seconds(ticks, "other"));
    }

    private static double seconds(Map<String, Long> ticks, String role) {
        return ticks.getOrDefault(role, 0L) * SECONDS_PER_TICK;
    }

    /**
     * A server process's role from the title PostgreSQL gives it ({@code postgres: walsender
     * ...}, {@code postgres: <user> <database> <client> <state>}, {@code postgres: checkpointer}).
     */
    static String role(String title, String source, String target) {
        String[] words = title.trim().split("\\s+");
        if (words.length >= 2 && words[1].equals("walsender")) {
            return "walsender";
        }
        if (words.length >= 3 && words[2].equals(source)) {
            return "source";
        }
        if (words.length >= 3 && words[2].equals(target)) {
            return "target";
        }
        return "other";
    }

    private static String role(Path proc, String source, String target) {
        try {
            String title = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
            return role(title, source, target);
        } catch (IOException e) {
            return "other";
        }
    }

    private static String threadName(Path thread) {
        try {
            return Files.readString(thread.resolve("comm")).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** The fields of /proc/pid/stat after the command name (state first), or null when the process is gone. */
    private static String[] stat(Path proc) {
        try {
            String s = Files.readString(proc.resolve("stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long parentPid(String[] stat) {
        return Long.parseLong(stat[1]);
    }

    /** User and system CPU so far, in clock ticks (fields utime and stime). */
    private static long ticks(String[] stat) {
        return Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}
