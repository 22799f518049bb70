package dev.walflow.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, headless, for the Flink web UI: a screenshot of a page, or the page's DOM
 * after its scripts ran. The web UI is an Angular app that draws the job graph after a few
 * REST calls, so each run lets the page's clock advance a few seconds before it is captured
 * ({@code --virtual-time-budget}). Profile, cache and crash reports stay under {@code workDir}.
 */
final class HeadlessChromium {

    private static final int VIRTUAL_TIME_BUDGET_MS = 10_000;

    private final Path binary;
    private final Path workDir;

    private HeadlessChromium(Path binary, Path workDir) {
        this.binary = binary;
        this.workDir = workDir;
    }

    /**
     * Finds Chromium: the system property {@code e2e.chromium}, else {@code /usr/bin/chromium},
     * else {@code chromium} on the PATH.
     */
    static HeadlessChromium find(Path workDir) {
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
                return new HeadlessChromium(candidate, workDir);
            }
        }
        throw new IllegalStateException("Chromium not found (looked for -De2e.chromium, /usr/bin/chromium and"
                + " chromium on the PATH). Install Debian's package: apt-get install chromium"
                + " (deploy/test.sh does it).");
    }

    /** Saves a PNG of {@code url} as a window of {@code width} x {@code height}. */
    void screenshot(String url, Path png, int width, int height) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.deleteIfExists(png);
        run(url, "--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height);
        if (!Files.isRegularFile(png)) {
            throw new IOException("Chromium wrote no screenshot of " + url + "; see " + log());
        }
    }

    /** The page's DOM once its scripts ran. */
    String dumpDom(String url) throws IOException, InterruptedException {
        return run(url, "--dump-dom", "--window-size=1600,1000");
    }

    private String run(String url, String... action) throws IOException, InterruptedException {
        Path profile = Files.createDirectories(workDir.resolve("profile"));
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                // This machine's network is closed: without these, Chromium keeps trying
                // Google's services.
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=" + VIRTUAL_TIME_BUDGET_MS));
        command.addAll(List.of(action));
        command.add(url);
        Path out = workDir.resolve("chromium.out");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(log().toFile())
                .redirectOutput(out.toFile());
        // Chromium writes crash reports and caches under HOME and XDG folders.
        builder.environment().put("HOME", workDir.toString());
        builder.environment().put("XDG_CONFIG_HOME", workDir.resolve("config").toString());
        builder.environment().put("XDG_CACHE_HOME", workDir.resolve("cache").toString());
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IOException("Chromium did not finish with " + url + " in 2 minutes; see " + log());
        }
        if (process.exitValue() != 0) {
            throw new IOException("Chromium exited with " + process.exitValue() + " on " + url + "; see " + log());
        }
        return Files.readString(out);
    }

    private Path log() {
        return workDir.resolve("chromium.log");
    }
}
