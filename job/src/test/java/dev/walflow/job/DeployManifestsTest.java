package dev.walflow.job;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.walflow.job.config.JobConfig;
import dev.walflow.job.config.WalflowOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.core.execution.CheckpointingMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads every manifest in deploy/k8s as the Kubernetes API and the Flink Kubernetes Operator
 * would, and checks what a deployment needs to work: the fields the operator requires, Flink
 * settings that parse, walflow arguments that walflow's own parser accepts, secrets that
 * exist, a Prometheus port that the reporter, the container and the scrape annotations agree
 * on, and an image that puts the jar where jarURI points.
 */
class DeployManifestsTest {

    private static final Path K8S = Path.of("..", "deploy", "k8s");
    private static final YAMLMapper YAML = new YAMLMapper();

    private static List<JsonNode> manifests;
    private static JsonNode deployment;

    @BeforeAll
    static void readManifests() throws IOException {
        manifests = new ArrayList<>();
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> documents =
                        YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                    for (JsonNode document : documents.readAll()) {
                        assertThat(document.path("apiVersion").asText())
                                .as("apiVersion of a document in " + file).isNotEmpty();
                        assertThat(document.path("kind").asText())
                                .as("kind of a document in " + file).isNotEmpty();
                        assertThat(document.path("metadata").path("name").asText())
                                .as("metadata.name in " + file).isNotEmpty();
                        manifests.add(document);
                    }
                }
            }
        }
        List<JsonNode> deployments = ofKind("FlinkDeployment");
        assertThat(deployments).as("FlinkDeployments in " + K8S).hasSize(1);
        deployment = deployments.get(0);
    }

    @Test
    void flinkDeploymentHasWhatTheOperatorNeeds() {
        assertThat(deployment.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        JsonNode spec = deployment.path("spec");
        assertThat(spec.path("flinkVersion").asText()).as("spec.flinkVersion").isEqualTo("v1_20");
        assertThat(spec.path("image").asText()).as("spec.image").isNotEmpty();
        assertThat(spec.path("serviceAccount").asText()).as("spec.serviceAccount").isNotEmpty();
        for (String role : List.of("jobManager", "taskManager")) {
            JsonNode resource = spec.path(role).path("resource");
            assertThat(resource.path("memory").asText()).as(role + ".resource.memory").isNotEmpty();
            assertThat(resource.path("cpu").isNumber()).as(role + ".resource.cpu").isTrue();
        }
        JsonNode job = spec.path("job");
        assertThat(job.path("jarURI").asText())
                .as("job.jarURI (application mode: a jar in the image)")
                .startsWith("local:///");
        assertThat(job.path("entryClass").asText()).isEqualTo(ReplicationJob.class.getName());
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(job.path("state").asText()).isEqualTo("running");
        assertThat(job.path("parallelism").asInt()).isPositive();
    }

    @Test
    void flinkConfigurationParsesAndKeepsCheckpoints() {
        JsonNode settings = deployment.path("spec").path("flinkConfiguration");
        Map<String, String> values = new HashMap<>();
        settings.fields().forEachRemaining(e -> {
            // The operator's CRD types flinkConfiguration as a map of strings.
            assertThat(e.getValue().isTextual())
                    .as("flinkConfiguration." + e.getKey() + " must be a string (quote it)")
                    .isTrue();
            values.put(e.getKey(), e.getValue().asText());
        });
        Configuration flink = Configuration.fromMap(values);
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .as("state.checkpoints.dir").isNotBlank();
        assertThat(flink.get(CheckpointingOptions.SAVEPOINT_DIRECTORY))
                .as("state.savepoints.dir (savepoint upgrades)").isNotBlank();
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isNotNull();
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(flink.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(values)
                .as("env.java.opts.all would replace the image's JDK 17 module flags")
                .doesNotContainKey("env.java.opts.all");
        assertThat(values.get("env.java.opts.taskmanager")).contains("-Duser.timezone=UTC");
    }

    @Test
    void prometheusReporterContainerPortAndScrapeAnnotationsAgree() {
        JsonNode spec = deployment.path("spec");
        JsonNode settings = spec.path("flinkConfiguration");
        assertThat(settings.path("metrics.reporter.prom.factory.class").asText())
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        String port = settings.path("metrics.reporter.prom.port").asText();
        assertThat(port).as("metrics.reporter.prom.port: one port, so scrapers know it").matches("[0-9]+");
        JsonNode annotations = spec.path("podTemplate").path("metadata").path("annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(port);
        JsonNode container = mainContainer();
        List<String> ports = new ArrayList<>();
        container.path("ports").forEach(
                p -> ports.add(p.path("name").asText() + "=" + p.path("containerPort").asText()));
        assertThat(ports).contains("metrics=" + port);
        for (JsonNode monitor : ofKind("PodMonitor")) {
            assertThat(monitor.path("spec").path("selector").path("matchLabels").path("app").asText())
                    .as("PodMonitor selects the pods Flink labels app=<deployment name>")
                    .isEqualTo(deployment.path("metadata").path("name").asText());
            monitor.path("spec").path("podMetricsEndpoints")
                    .forEach(e -> assertThat(e.path("port").asText()).isEqualTo("metrics"));
        }
    }

    @Test
    void argsAreValidWalflowParametersWithPasswordsFromSecrets() {
        List<String> args = YAML.convertValue(
                deployment.path("spec").path("job").path("args"), new TypeReference<>() {});
        Map<String, String> environment = new HashMap<>();
        for (JsonNode variable : mainContainer().path("env")) {
            String name = variable.path("name").asText();
            JsonNode ref = variable.path("valueFrom").path("secretKeyRef");
            if (name.startsWith("WALFLOW_")) {
                assertThat(WalflowOptions.SECRETS.values()).as("walflow reads " + name).contains(name);
                assertThat(secretKeys(ref.path("name").asText()))
                        .as("Secret '" + ref.path("name").asText() + "' in " + K8S + " with key for " + name)
                        .contains(ref.path("key").asText());
                environment.put(name, "from-secret");
            }
        }
        assertThat(environment)
                .as("passwords come from a Secret")
                .containsKeys("WALFLOW_SOURCE_PASSWORD", "WALFLOW_SINK_POSTGRES_PASSWORD");
        assertThat(String.join(" ", args))
                .as("no password in args (the web UI shows them)")
                .doesNotContain("password");
        JobConfig config = JobConfig.parse(args.toArray(String[]::new), environment);
        assertThat(config.configuration().toMap()).containsEntry("source.password", "from-secret");
    }

    @Test
    void imagePutsTheJarWhereJarUriPoints() throws IOException {
        String dockerfile = Files.readString(K8S.resolve("Dockerfile"));
        String jarPath = deployment.path("spec").path("job").path("jarURI").asText()
                .substring("local://".length());
        assertThat(dockerfile).contains("FROM flink:1.20");
        assertThat(dockerfile.lines().filter(l -> l.startsWith("COPY")))
                .as("a COPY of the shaded jar to " + jarPath)
                .anyMatch(l -> l.contains("job/target/walflow-job-") && l.trim().endsWith(" " + jarPath));
    }

    private static JsonNode mainContainer() {
        for (JsonNode c : deployment.path("spec").path("podTemplate").path("spec").path("containers")) {
            if (c.path("name").asText().equals("flink-main-container")) {
                return c;
            }
        }
        throw new AssertionError("podTemplate has no container named flink-main-container"
                + " (the operator merges its settings into that one)");
    }

    private static List<String> secretKeys(String name) {
        List<String> keys = new ArrayList<>();
        for (JsonNode secret : ofKind("Secret")) {
            if (secret.path("metadata").path("name").asText().equals(name)) {
                secret.path("stringData").fieldNames().forEachRemaining(keys::add);
                secret.path("data").fieldNames().forEachRemaining(keys::add);
            }
        }
        return keys;
    }

    private static List<JsonNode> ofKind(String kind) {
        return manifests.stream().filter(m -> m.path("kind").asText().equals(kind)).toList();
    }
}
