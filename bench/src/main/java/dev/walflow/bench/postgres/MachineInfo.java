package dev.walflow.bench.postgres;

import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/** What a run ran on: CPU, cores, memory, JDK, PostgreSQL, walflow's commit. */
final class MachineInfo {

    private MachineInfo() {}

    static String describe(PostgresServer pg, java.util.List<String> jobArgs) throws SQLException {
        String version;
        try (Connection c = pg.connect("postgres")) {
            version = SqlRunner.queryString(c, "SHOW server_version");
        }
        return String.format(Locale.ROOT, "Machine: %s, %d cores, %s RAM; JDK %s (max heap %d MiB); PostgreSQL %s (embedded);"
                        + " walflow %s; checkpoints every %s; job parameters %s",
                cpu(), Runtime.getRuntime().availableProcessors(), memory(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, version, System.getenv().getOrDefault("WALFLOW_COMMIT", "(commit unknown)"),
                PostgresBenchmark.CHECKPOINT_INTERVAL, jobArgs.isEmpty() ? "as defaulted (sink parallelism 1)" : String.join(" ", jobArgs));
    }

    static String shortName() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + cpu();
    }

    private static String cpu() {
        return procLine("/proc/cpuinfo", "model name").orElse(System.getProperty("os.arch"));
    }

    private static String memory() {
        return procLine("/proc/meminfo", "MemTotal")
                .map(v -> (Long.parseLong(v.replaceAll("[^0-9]", "")) >> 20) + " GiB").orElse("?");
    }

    private static java.util.Optional<String> procLine(String file, String key) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(key))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }
}
