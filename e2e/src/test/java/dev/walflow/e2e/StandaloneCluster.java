package dev.walflow.e2e;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Flink 1.20 standalone session cluster as {@code bin/start-cluster.sh} would start it: a
 * JobManager ({@code StandaloneSessionClusterEntrypoint}) and a TaskManager
 * ({@code TaskManagerRunner}), each its own {@code java} process, reading a generated
 * configuration folder (the repository's conf/config.yaml), on free ports of 127.0.0.1. The
 * JVM memory flags and the derived memory settings come from Flink's {@code BashJavaUtils}, as
 * in the distribution's scripts.
 * The classpath is flink-dist's lib/ rebuilt from module artifacts (see e2e/pom.xml).
 *
 * <p>Everything the processes write (logs, blobs, uploaded jars, temporary files) stays under
 * {@code workDir}.
 */
final class StandaloneCluster implements AutoCloseable {

    private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    private final Path workDir;
    private final String classpath;
    private final Map<String, String> environment;
    private final int restPort;
    private final int metricsPort;
    private final Map<String, String> overrides;
    private final List<Process> processes = new ArrayList<>();
    // A test JVM that is killed (a fork timeout) must not leave a cluster behind.
    private final Thread stopOnExit = new Thread(this::stopProcesses, "stop-flink-cluster");

    private StandaloneCluster(Path workDir, String classpath, Map<String, String> environment,
            int restPort, int metricsPort, Map<String, String> overrides) {
        this.workDir = workDir;
        this.classpath = classpath;
        this.environment = environment;
        this.restPort = restPort;
        this.metricsPort = metricsPort;
        this.overrides = overrides;
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /**
     * Starts the JobManager, then one TaskManager with two slots, with {@code baseConfig} (the
     * repository's conf/config.yaml) as their config.yaml and this machine's addresses, ports,
     * sizes and folders given as dynamic properties on top, as an operator would with
     * {@code -D}. Returns once both processes are launched.
     *
     * @param environment variables for both processes (walflow reads passwords from them)
     */
    static StandaloneCluster start(
            Path workDir, String classpath, Path baseConfig, Map<String, String> environment)
            throws IOException, InterruptedException {
        Path conf = Files.createDirectories(workDir.resolve("conf"));
        Path tmp = Files.createDirectories(workDir.resolve("tmp"));
        Files.copy(baseConfig, conf.resolve("config.yaml"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.console.ref = console",
                "appender.console.type = Console",
                "appender.console.name = console",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40.40c{1.} - %m%n",
                "logger.pekko.name = org.apache.pekko",
                "logger.pekko.level = WARN",
                ""));
        int restPort = freePort();
        int metricsPort = freePort();
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("jobmanager.rpc.address", "127.0.0.1");
        overrides.put("jobmanager.rpc.port", String.valueOf(freePort()));
        overrides.put("jobmanager.bind-host", "127.0.0.1");
        overrides.put("jobmanager.memory.process.size", "1024m");
        overrides.put("taskmanager.host", "127.0.0.1");
        overrides.put("taskmanager.bind-host", "127.0.0.1");
        overrides.put("taskmanager.numberOfTaskSlots", "2");
        overrides.put("taskmanager.memory.process.size", "1536m");
        overrides.put("rest.address", "127.0.0.1");
        overrides.put("rest.bind-address", "127.0.0.1");
        overrides.put("rest.port", String.valueOf(restPort));
        overrides.put("parallelism.default", "1");
        // The JobManager takes the first free port of the range, the TaskManager the next.
        overrides.put("metrics.reporter.prom.port", metricsPort + "-" + (metricsPort + 10));
        // A failing job fails the test at once instead of being retried with back-off.
        overrides.put("restart-strategy.type", "none");
        overrides.put("execution.checkpointing.dir", workDir.resolve("checkpoints").toUri().toString());
        overrides.put("execution.checkpointing.savepoint-dir", workDir.resolve("savepoints").toUri().toString());
        overrides.put("io.tmp.dirs", tmp.toString());
        overrides.put("web.tmp.dir", tmp.resolve("web").toString());
        overrides.put("web.upload.dir", workDir.resolve("uploads").toString());
        overrides.put("blob.storage.directory", tmp.resolve("blobs").toString());

        StandaloneCluster cluster =
                new StandaloneCluster(workDir, classpath, environment, restPort, metricsPort, overrides);
        try {
            cluster.launch("jobmanager", "GET_JM_RESOURCE_PARAMS", "env.java.opts.jobmanager",
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
            cluster.launch("taskmanager", "GET_TM_RESOURCE_PARAMS", "env.java.opts.taskmanager",
                    "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        } catch (IOException | RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    /**
     * The Prometheus endpoints the processes may serve: the reporter takes the first free port of
     * its range in each process, so which one is whose is not fixed.
     */
    List<String> prometheusUrls() {
        List<String> urls = new ArrayList<>();
        for (int port = metricsPort; port <= metricsPort + 10; port++) {
            urls.add("http://127.0.0.1:" + port + "/metrics");
        }
        return urls;
    }

    Path log(String process) {
        return workDir.resolve(process + ".log");
    }

    /** Whether both processes still run (a dead one explains a hanging wait). */
    String processStates() {
        StringBuilder s = new StringBuilder();
        for (Process p : processes) {
            s.append(p.pid()).append(p.isAlive() ? " alive " : " exited with " + p.exitValue() + " ");
        }
        return s.toString().trim();
    }

    private void launch(String name, String resourceCommand, String processJvmOptions, String mainClass)
            throws IOException, InterruptedException {
        Path conf = workDir.resolve("conf");
        List<String> resources = bashJavaUtils(resourceCommand, conf);
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(split(resources.get(0)));
        // What bin/config.sh puts on the command line: env.java.opts.all (the JDK 17 module
        // flags, the time zone), then the process's own options.
        Configuration config = GlobalConfiguration.loadConfiguration(conf.toString(), dynamicProperties());
        command.addAll(split(config.toMap().getOrDefault("env.java.default-opts.all", "")));
        command.addAll(split(config.toMap().getOrDefault("env.java.opts.all", "")));
        command.addAll(split(config.toMap().getOrDefault(processJvmOptions, "")));
        command.add("-Djava.io.tmpdir=" + workDir.resolve("tmp"));
        command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties"));
        command.add("-Dlog.file=" + log(name));
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.add("--configDir");
        command.add(conf.toString());
        command.addAll(dynamicPropertyArguments());
        // "-D key=value" pairs: the memory sizes derived from the configuration.
        command.addAll(split(resources.get(1)));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log(name).toFile());
        builder.environment().putAll(environment);
        processes.add(builder.start());
    }

    private Configuration dynamicProperties() {
        Configuration c = new Configuration();
        overrides.forEach(c::setString);
        return c;
    }

    private List<String> dynamicPropertyArguments() {
        List<String> args = new ArrayList<>();
        overrides.forEach((k, v) -> {
            args.add("-D");
            args.add(k + "=" + v);
        });
        return args;
    }

    private static List<String> split(String options) {
        return options.isBlank() ? List.of() : Arrays.asList(options.trim().split("\\s+"));
    }

    /** Runs BashJavaUtils: its two result lines are the JVM flags and the dynamic settings. */
    private List<String> bashJavaUtils(String command, Path conf) throws IOException, InterruptedException {
        List<String> call = new ArrayList<>(List.of(javaBinary(), "-cp", classpath, BASH_JAVA_UTILS, command,
                "--configDir", conf.toString()));
        call.addAll(dynamicPropertyArguments());
        Process p = new ProcessBuilder(call).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        p.waitFor(1, TimeUnit.MINUTES);
        List<String> results = output.lines()
                .filter(l -> l.startsWith(RESULT_PREFIX))
                .map(l -> l.substring(RESULT_PREFIX.length()))
                .toList();
        if (results.size() != 2) {
            throw new IOException(BASH_JAVA_UTILS + " " + command + " printed no memory settings:\n" + output);
        }
        return results;
    }

    /** Stops both processes (TaskManager first) and whatever they started. */
    @Override
    public void close() {
        stopProcesses();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // The JVM is already exiting; the hook runs (harmlessly) as well.
        }
    }

    private synchronized void stopProcesses() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            stop(processes.get(i));
        }
        processes.clear();
    }

    private static void stop(Process process) {
        List<ProcessHandle> children = process.toHandle().descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
