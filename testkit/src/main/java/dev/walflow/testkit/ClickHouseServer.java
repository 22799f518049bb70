package dev.walflow.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ClickHouse for ITCases. By default it starts {@code testkit/clickhouse/server.mjs}, a small
 * HTTP front end over chdb (the ClickHouse engine as a Node library), as a child process on a
 * free port of 127.0.0.1; its output goes to {@code target/clickhouse/server-*.log}. If the
 * environment variable {@value #URL_ENV} is set (e.g. {@code http://127.0.0.1:8123}, credentials
 * as {@code http://user:password@host:8123}), it uses that real server and starts nothing, so
 * the same ITCases run against both.
 *
 * <p>Connect with clickhouse-jdbc and {@link #jdbcUrl(String)}: the URL carries {@code
 * compress=false}, which the front end needs (it does not compress) and a real server accepts.
 */
public final class ClickHouseServer implements AutoCloseable {

    public static final String URL_ENV = "CLICKHOUSE_TEST_URL";

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseServer.class);

    /** Overrides where {@code server.mjs} and its {@code node_modules} are looked for. */
    public static final String FRONT_END_DIR_PROPERTY = "walflow.clickhouse.dir";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final Pattern LISTENING = Pattern.compile("^listening 127\\.0\\.0\\.1:(\\d+)$");
    private static final String INSTALL_HINT =
            "run deploy/test.sh, or `npm install` in testkit/clickhouse";

    private final URI baseUri;
    private final String user;
    private final String password;
    private final Process process;
    private final Path ownedDataDirectory;
    private final Thread shutdownHook;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ClickHouseServer(URI baseUri, String user, String password, Process process,
            Path ownedDataDirectory) {
        this.baseUri = baseUri;
        this.user = user;
        this.password = password;
        this.process = process;
        this.ownedDataDirectory = ownedDataDirectory;
        if (process == null) {
            this.shutdownHook = null;
        } else {
            this.shutdownHook = new Thread(this::stopProcess, "clickhouse-test-server-stop");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /**
     * The server named by {@value #URL_ENV}, or else a throwaway front end whose data lives in a
     * folder under {@code target/clickhouse} removed on close.
     */
    public static ClickHouseServer start() {
        String external = System.getenv(URL_ENV);
        if (external != null && !external.isBlank()) {
            return external(external.trim());
        }
        try {
            Path data = Files.createTempDirectory(workDirectory(), "data-");
            return startFrontEnd(data, true);
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to create a folder in target/clickhouse", e);
        }
    }

    /**
     * Starts the front end on a data folder that is kept, so a later server on the same folder
     * finds its tables (ignores {@value #URL_ENV}).
     */
    public static ClickHouseServer startFrontEnd(Path dataDirectory) {
        return startFrontEnd(dataDirectory, false);
    }

    private static ClickHouseServer external(String url) {
        URI uri = URI.create(url);
        String user = "default";
        String password = "";
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            user = parts[0];
            password = parts.length > 1 ? parts[1] : "";
        }
        int defaultPort = "https".equals(uri.getScheme()) ? 8443 : 8123;
        int port = uri.getPort() > 0 ? uri.getPort() : defaultPort;
        URI base = URI.create(uri.getScheme() + "://" + uri.getHost() + ":" + port);
        ClickHouseServer server = new ClickHouseServer(base, user, password, null, null);
        server.awaitPing(Instant.now().plusSeconds(10));
        LOG.info("ClickHouse from {}: {}", URL_ENV, base);
        return server;
    }

    private static ClickHouseServer startFrontEnd(Path dataDirectory, boolean owned) {
        Path dir = frontEndDirectory();
        if (!Files.isRegularFile(dir.resolve("node_modules/chdb/package.json"))) {
            throw new IllegalStateException(
                    "chdb is not installed in " + dir.resolve("node_modules") + ": "
                            + INSTALL_HINT);
        }
        Path log;
        Process process;
        try {
            Files.createDirectories(dataDirectory);
            log = Files.createTempFile(workDirectory(), "server-", ".log").toAbsolutePath();
            ProcessBuilder builder =
                    new ProcessBuilder(
                                    "node",
                                    "server.mjs",
                                    "--data",
                                    dataDirectory.toAbsolutePath().toString(),
                                    "--port",
                                    "0",
                                    "--exit-with-stdin")
                            .directory(dir.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("TZ", "UTC");
            // stdin stays a pipe held open by this JVM: when the JVM dies, even by SIGKILL, the
            // pipe closes and the server exits (--exit-with-stdin).
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Failed to start the ClickHouse test front end (is `node` 18+ on the PATH?)",
                    e);
        }
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        int port = awaitPort(process, log, deadline);
        URI base = URI.create("http://127.0.0.1:" + port);
        ClickHouseServer server =
                new ClickHouseServer(base, "default", "", process, owned ? dataDirectory : null);
        try {
            server.awaitPing(deadline);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("ClickHouse test front end (chdb) at {}, data {}, log {}",
                base, dataDirectory.toAbsolutePath(), log);
        return server;
    }

    /** {@code target/clickhouse} of the module the tests run in. */
    private static Path workDirectory() throws IOException {
        return Files.createDirectories(Paths.get("target", "clickhouse"));
    }

    private static Path frontEndDirectory() {
        String configured = System.getProperty(FRONT_END_DIR_PROPERTY);
        if (configured != null) {
            return Paths.get(configured).toAbsolutePath();
        }
        // Maven runs tests in the module's folder; look upwards for the repository's testkit.
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("testkit/clickhouse");
            if (Files.isRegularFile(candidate.resolve("server.mjs"))) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "testkit/clickhouse/server.mjs not found above "
                        + Paths.get("").toAbsolutePath()
                        + "; set -D" + FRONT_END_DIR_PROPERTY + " to its folder");
    }

    private static int awaitPort(Process process, Path log, Instant deadline) {
        while (Instant.now().isBefore(deadline)) {
            for (String line : readLines(log)) {
                Matcher m = LISTENING.matcher(line.trim());
                if (m.matches()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "The ClickHouse test front end exited with "
                                + process.exitValue() + " before listening; its log "
                                + log + ":\n" + String.join("\n", readLines(log))
                                + "\nIf chdb fails to load: " + INSTALL_HINT);
            }
            sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException(
                "The ClickHouse test front end did not listen within " + START_TIMEOUT
                        + "; see " + log);
    }

    private void awaitPing(Instant deadline) {
        HttpRequest ping = HttpRequest.newBuilder(baseUri.resolve("/ping"))
                .timeout(Duration.ofSeconds(5))
                .build();
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> r = http.send(ping, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().startsWith("Ok.")) {
                    return;
                }
                last = new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + baseUri, e);
            }
            sleep(200);
        }
        throw new IllegalStateException(
                "ClickHouse at " + baseUri + " does not answer /ping", last);
    }

    /** True when this is the real server named by {@value #URL_ENV}. */
    public boolean isExternal() {
        return process == null;
    }

    /** The HTTP interface, e.g. {@code http://127.0.0.1:41234}. */
    public String httpUrl() {
        return baseUri.toString();
    }

    /** A clickhouse-jdbc URL for the {@code default} database. */
    public String jdbcUrl() {
        return jdbcUrl("default");
    }

    /** A clickhouse-jdbc URL for a database, with {@code compress=false}. */
    public String jdbcUrl(String database) {
        return "jdbc:clickhouse:" + baseUri + "/" + database + "?compress=false";
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** A clickhouse-jdbc connection (the driver must be on the classpath). */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user, password);
    }

    /** Runs one statement over HTTP; returns the body (TabSeparated for a query). */
    public String execute(String sql) {
        HttpRequest request = HttpRequest.newBuilder(baseUri.resolve("/"))
                .timeout(Duration.ofMinutes(2))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(
                        "ClickHouse at " + baseUri + " refused `" + sql + "`: " + r.body().trim());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to send `" + sql + "` to " + baseUri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running `" + sql + "`", e);
        }
    }

    /** Creates a database, dropping one of the same name first. */
    public void createDatabase(String name) {
        execute("DROP DATABASE IF EXISTS `" + name + "` SYNC");
        execute("CREATE DATABASE `" + name + "`");
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs (or ran) anyway
        }
        if (ownedDataDirectory != null) {
            deleteRecursively(ownedDataDirectory);
        }
    }

    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy(); // SIGTERM: the server closes its chdb session, then exits
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static List<String> readLines(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to delete " + dir, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for ClickHouse", e);
        }
    }
}
