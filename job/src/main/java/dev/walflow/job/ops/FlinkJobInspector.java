package dev.walflow.job.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The job as Flink's REST API shows it: state, last completed checkpoint, and the failures in
 * its exception history counted by type.
 */
final class FlinkJobInspector {

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    FlinkJobInspector(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /**
     * The job named (or with the id) {@code job}: a running one if there is one, else the newest.
     */
    ObjectNode describe(String job) throws IOException {
        ObjectNode out = mapper.createObjectNode().put("rest", baseUrl);
        JsonNode chosen = null;
        for (JsonNode j : get("/jobs/overview").path("jobs")) {
            if (!job.equals(j.path("name").asText()) && !job.equals(j.path("jid").asText())) {
                continue;
            }
            boolean running = !isTerminal(j.path("state").asText());
            boolean chosenRunning = chosen != null && !isTerminal(chosen.path("state").asText());
            if (chosen == null || (running && !chosenRunning)
                    || (running == chosenRunning && j.path("start-time").asLong() > chosen.path("start-time").asLong())) {
                chosen = j;
            }
        }
        if (chosen == null) {
            return out.put("found", false).put("state", "NOT_FOUND");
        }
        String id = chosen.path("jid").asText();
        out.put("found", true).put("id", id).put("name", chosen.path("name").asText())
                .put("state", chosen.path("state").asText());
        JsonNode completed = get("/jobs/" + id + "/checkpoints").path("latest").path("completed");
        if (completed.isObject()) {
            long at = completed.path("latest_ack_timestamp").asLong();
            ObjectNode cp = out.putObject("lastCheckpoint").put("id", completed.path("id").asLong())
                    .put("completedAt", Instant.ofEpochMilli(at).toString())
                    .put("ageSeconds", Math.max(0, (System.currentTimeMillis() - at) / 1000))
                    .put("isSavepoint", completed.path("is_savepoint").asBoolean());
            if (completed.hasNonNull("external_path")) {
                cp.put("path", completed.path("external_path").asText());
            }
        } else {
            out.putNull("lastCheckpoint");
        }
        Map<String, Integer> errors = new TreeMap<>();
        JsonNode exceptions = get("/jobs/" + id + "/exceptions");
        for (JsonNode entry : exceptions.path("exceptionHistory").path("entries")) {
            errors.merge(entry.path("exceptionName").asText("unknown"), 1, Integer::sum);
        }
        ObjectNode byType = out.putObject("errors");
        errors.forEach(byType::put);
        return out;
    }

    private static boolean isTerminal(String state) {
        return state.equals("FINISHED") || state.equals("CANCELED") || state.equals("FAILED") || state.equals("SUSPENDED");
    }

    private JsonNode get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("GET " + baseUrl + path + " answered " + response.statusCode());
            }
            return mapper.readTree(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while reading " + baseUrl + path, e);
        }
    }
}
