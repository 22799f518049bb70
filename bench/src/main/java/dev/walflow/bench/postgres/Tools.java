package dev.walflow.bench.postgres;

import dev.walflow.testkit.PostgresServer;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * PostgreSQL's client programs (pg_recvlogical, pgbench). The embedded server's bundle has only
 * the server, so they come from the system: PATH or Debian's /usr/lib/postgresql/N/bin. When
 * missing, the benchmark installs Debian's PostgreSQL packages with apt-get (as root only).
 */
final class Tools {

    private static final String PACKAGES = "postgresql-client postgresql-contrib";

    private Tools() {}

    /** The path of a PostgreSQL client program, installing it when it is missing. */
    static synchronized Path binary(String name) {
        Path found = find(name);
        if (found == null) {
            install(name);
            found = find(name);
        }
        if (found == null) {
            throw new IllegalStateException(name + " was not found on PATH or in /usr/lib/postgresql/*/bin;"
                    + " install Debian's " + PACKAGES + " (or your system's PostgreSQL client programs)");
        }
        return found;
    }

    private static Path find(String name) {
        // The versioned directory first: /usr/bin/<name> on Debian is a wrapper that needs a cluster.
        Path lib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> versions = Files.list(lib)) {
                Path newest = versions.map(v -> v.resolve("bin").resolve(name)).filter(Files::isExecutable)
                        .max(Comparator.comparing(Path::toString)).orElse(null);
                if (newest != null) {
                    return newest;
                }
            } catch (IOException e) {
                // fall through to PATH
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static void install(String name) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return;
        }
        System.out.println(name + " is missing: installing Debian's " + PACKAGES + " with apt-get (once)");
        try {
            run(List.of("sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq " + PACKAGES),
                    "apt-get install " + PACKAGES);
        } catch (IOException e) {
            System.out.println("apt-get failed: " + e.getMessage());
        }
    }

    /** Runs a command with the server's password in the environment; fails with its output. */
    static String run(List<String> command, String what) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", PostgresServer.PASSWORD);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            int exit = process.waitFor();
            if (exit != 0) {
                throw new IOException(what + " exited with " + exit + ": " + output.strip());
            }
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new IOException(what + " interrupted", e);
        }
        return output;
    }
}
