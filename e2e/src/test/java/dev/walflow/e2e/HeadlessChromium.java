package dev.walflow.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol: open a page, wait until its
 * text shows what the caller expects, then read the page or save a screenshot. The Flink web UI
 * is an Angular app that draws the job graph after several REST calls and keeps polling, so
 * the wait is on the page's content (bounded), not on a fixed time or on the network going
 * quiet. Profile, cache and crash reports stay under {@code workDir}.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final ObjectMapper mapper = new ObjectMapper();
    private final Path workDir;
    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final int width;
    private final int height;

    private HeadlessChromium(Path workDir, Process process, String pageSocketUrl, int width, int height) {
        this.workDir = workDir;
        this.process = process;
        this.width = width;
        this.height = height;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(pageSocketUrl), new Replies())
                .orTimeout(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                .join();
    }

    /** Starts Chromium ({@link #requireInstalled()}) with a window of {@code width} x {@code height}. */
    static HeadlessChromium start(Path workDir, int width, int height) throws IOException, InterruptedException {
        Path binary = requireInstalled();
        Path profile = Files.createDirectories(workDir.resolve("profile"));
        Files.deleteIfExists(profile.resolve("DevToolsActivePort"));
        List<String> command = List.of(binary.toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                // This machine's network is closed: without these, Chromium keeps trying
                // Google's services.
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                // Containers often give /dev/shm 64 MB, too little for a renderer.
                "--disable-dev-shm-usage", "--hide-scrollbars",
                "--window-size=" + width + "," + height,
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile,
                "about:blank");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("chromium.log").toFile());
        // Chromium writes crash reports and caches under HOME and XDG folders.
        builder.environment().put("HOME", workDir.toString());
        builder.environment().put("XDG_CONFIG_HOME", workDir.resolve("config").toString());
        builder.environment().put("XDG_CACHE_HOME", workDir.resolve("cache").toString());
        Process process = builder.start();
        try {
            return new HeadlessChromium(workDir, process, pageSocket(profile, process), width, height);
        } catch (IOException | RuntimeException | InterruptedException e) {
            stop(process);
            throw e;
        }
    }

    /**
     * Opens {@code url} and waits until the page's text contains every one of {@code expected},
     * then lets it settle (the graph is laid out after its data arrives). Returns the page's
     * HTML, or fails naming what was missing.
     */
    String open(String url, Duration timeout, String... expected) throws IOException, InterruptedException {
        call("Emulation.setDeviceMetricsOverride", mapper.createObjectNode()
                .put("width", width).put("height", height).put("deviceScaleFactor", 1).put("mobile", false));
        ObjectNode navigate = mapper.createObjectNode().put("url", url);
        call("Page.navigate", navigate);
        long deadline = System.nanoTime() + timeout.toNanos();
        String text = "";
        while (System.nanoTime() < deadline) {
            text = evaluate("document.body ? document.body.innerText : ''");
            if (containsAll(text, expected)) {
                Thread.sleep(2000);
                return evaluate("document.documentElement.outerHTML");
            }
            Thread.sleep(250);
        }
        throw new AssertionError("After " + timeout.toSeconds() + " s the page " + url
                + " does not show all of " + List.of(expected) + "; it shows:\n" + text);
    }

    /** Saves a PNG of what the window shows now. */
    void screenshot(Path png) throws IOException, InterruptedException {
        JsonNode result = call("Page.captureScreenshot", mapper.createObjectNode().put("format", "png"));
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(result.path("data").asText()));
    }

    @Override
    public void close() {
        socket.abort();
        stop(process);
    }

    private String evaluate(String expression) throws IOException, InterruptedException {
        ObjectNode params = mapper.createObjectNode().put("expression", expression).put("returnByValue", true);
        return call("Runtime.evaluate", params).path("result").path("value").asText("");
    }

    private JsonNode call(String method, ObjectNode params) throws IOException, InterruptedException {
        int id = ids.incrementAndGet();
        ObjectNode message = mapper.createObjectNode().put("id", id).put("method", method);
        if (params != null) {
            message.set("params", params);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(mapper.writeValueAsString(message), true).join();
        try {
            JsonNode answer = reply.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (answer.has("error")) {
                throw new IOException("Chromium refused " + method + ": " + answer.path("error"));
            }
            return answer.path("result");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("No answer from Chromium to " + method
                    + " (see " + workDir.resolve("chromium.log") + ")", e);
        } finally {
            pending.remove(id);
        }
    }

    private static boolean containsAll(String text, String... expected) {
        for (String e : expected) {
            if (!text.contains(e)) {
                return false;
            }
        }
        return true;
    }

    /** The DevTools port Chromium chose (it writes it into the profile), then its page's socket. */
    private static String pageSocket(Path profile, Process process) throws IOException, InterruptedException {
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("Chromium did not open its DevTools port (alive: " + process.isAlive()
                        + "); see chromium.log next to " + profile);
            }
            Thread.sleep(100);
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper mapper = new ObjectMapper();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> list = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode target : mapper.readTree(list.body())) {
                if (target.path("type").asText().equals("page")) {
                    return target.path("webSocketDebuggerUrl").asText();
                }
            }
            Thread.sleep(100);
        }
        throw new IOException("Chromium opened no page on DevTools port " + port);
    }

    /**
     * The Chromium binary: the system property {@code e2e.chromium}, else
     * {@code /usr/bin/chromium}, else {@code chromium} on the PATH; fails saying how to install it.
     */
    static Path requireInstalled() {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getProperty("e2e.chromium");
        if (configured != null && !configured.isBlank()) {
            candidates.add(Path.of(configured));
        }
        candidates.add(Path.of("/usr/bin/chromium"));
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "chromium"));
            }
        }
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("Chromium not found (looked for -De2e.chromium, /usr/bin/chromium and"
                + " chromium on the PATH). Install Debian's package: apt-get install chromium"
                + " (deploy/test.sh does it).");
    }

    private static void stop(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    /** Collects a reply's frames and completes the call waiting for its id. */
    private final class Replies implements WebSocket.Listener {
        private final StringBuilder buffer = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                try {
                    JsonNode message = mapper.readTree(buffer.toString());
                    CompletableFuture<JsonNode> waiting = pending.get(message.path("id").asInt(-1));
                    if (waiting != null) {
                        waiting.complete(message);
                    }
                } catch (IOException e) {
                    // Not a reply we wait for (events are JSON too; a broken frame is skipped).
                } finally {
                    buffer.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
