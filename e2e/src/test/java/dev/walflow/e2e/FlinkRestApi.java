package dev.walflow.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The parts of Flink's REST API a user (or a CI pipeline) needs to deploy walflow: upload the
 * jar, run it with program arguments (optionally from a savepoint), watch it, read its
 * metrics, stop it with a savepoint. Every call fails with the method, path, status and body.
 */
final class FlinkRestApi {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private final String baseUrl;

    FlinkRestApi(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    String baseUrl() {
        return baseUrl;
    }

    /** POST /jars/upload (multipart, part "jarfile"); returns the jar id for /jars/:id/run. */
    String uploadJar(Path jar) throws IOException {
        String boundary = "walflow-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\n"
                        + "Content-Disposition: form-data; name=\"jarfile\"; filename=\""
                        + jar.getFileName() + "\"\r\n"
                        + "Content-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(Files.readAllBytes(jar));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/jars/upload"))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build();
        String filename = send(request).path("filename").asText();
        return filename.substring(filename.lastIndexOf('/') + 1);
    }

    /** POST /jars/:id/run; returns the job id. {@code savepointPath} may be null. */
    String runJar(String jarId, String entryClass, List<String> args, String savepointPath)
            throws IOException {
        ObjectNode body = mapper.createObjectNode();
        body.put("entryClass", entryClass);
        body.putPOJO("programArgsList", args);
        if (savepointPath != null) {
            body.put("savepointPath", savepointPath);
            body.put("allowNonRestoredState", false);
        }
        return post("/jars/" + jarId + "/run", body).path("jobid").asText();
    }

    JsonNode job(String jobId) throws IOException {
        return get("/jobs/" + jobId);
    }

    /** The job's state, and RUNNING only once every vertex runs too (not just scheduled). */
    String state(String jobId) throws IOException {
        JsonNode job = job(jobId);
        String state = job.path("state").asText();
        if (state.equals("RUNNING")) {
            for (JsonNode vertex : job.path("vertices")) {
                if (!vertex.path("status").asText().equals("RUNNING")) {
                    return "RUNNING (vertex '" + vertex.path("name").asText() + "' "
                            + vertex.path("status").asText() + ")";
                }
            }
        }
        return state;
    }

    long completedCheckpoints(String jobId) throws IOException {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /** The newest entry of the job's exception history, or "none". */
    String latestException(String jobId) {
        try {
            JsonNode entries =
                    get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
            return entries.isEmpty() ? "none" : entries.get(0).path("stacktrace").asText();
        } catch (IOException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }

    /**
     * Sums a metric of a vertex (whose name contains {@code vertexName}) over its subtasks, as
     * the web UI's metrics tab lists it: ids are {@code <subtask>.<operator>.<metric>}. Returns
     * the metric ids found with their values, so a caller can also show what exists.
     */
    List<String[]> vertexMetric(String jobId, String vertexName, String metric) throws IOException {
        String vertexId = null;
        for (JsonNode vertex : job(jobId).path("vertices")) {
            if (vertex.path("name").asText().contains(vertexName)) {
                vertexId = vertex.path("id").asText();
            }
        }
        if (vertexId == null) {
            throw new IOException("Job " + jobId + " has no vertex named like '" + vertexName + "'");
        }
        String path = "/jobs/" + jobId + "/vertices/" + vertexId + "/metrics";
        List<String> ids = new ArrayList<>();
        for (JsonNode m : get(path)) {
            String id = m.path("id").asText();
            if (id.endsWith("." + metric)) {
                ids.add(id);
            }
        }
        List<String[]> values = new ArrayList<>();
        if (ids.isEmpty()) {
            return values;
        }
        for (JsonNode m : get(path + "?get=" + String.join(",", ids))) {
            values.add(new String[] {m.path("id").asText(), m.path("value").asText()});
        }
        return values;
    }

    /** POST /jobs/:id/stop (a savepoint, then the job finishes); returns the trigger id. */
    String stopWithSavepoint(String jobId, String targetDirectory) throws IOException {
        ObjectNode body = mapper.createObjectNode();
        body.put("targetDirectory", targetDirectory);
        body.put("drain", false);
        return post("/jobs/" + jobId + "/stop", body).path("request-id").asText();
    }

    /** GET /jobs/:id/savepoints/:trigger: null while in progress, else the savepoint's path. */
    String savepointLocation(String jobId, String triggerId) throws IOException {
        JsonNode answer = get("/jobs/" + jobId + "/savepoints/" + triggerId);
        if (!answer.path("status").path("id").asText().equals("COMPLETED")) {
            return null;
        }
        JsonNode operation = answer.path("operation");
        if (operation.has("failure-cause")) {
            throw new IOException("Savepoint of job " + jobId + " failed: "
                    + operation.path("failure-cause").path("stack-trace").asText());
        }
        return operation.path("location").asText();
    }

    /** PATCH /jobs/:id?mode=cancel; quiet when the job has already ended. */
    void cancel(String jobId) {
        try {
            send(HttpRequest.newBuilder(URI.create(baseUrl + "/jobs/" + jobId + "?mode=cancel"))
                    .timeout(Duration.ofSeconds(10))
                    .method("PATCH", HttpRequest.BodyPublishers.noBody())
                    .build());
        } catch (IOException e) {
            // Already finished, or the cluster is gone: nothing left to cancel.
        }
    }

    JsonNode get(String path) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build());
    }

    private JsonNode post(String path, JsonNode body) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(body)))
                .build());
    }

    private JsonNode send(HttpRequest request) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted: " + request.method() + " " + request.uri(), e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException(request.method() + " " + request.uri() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return response.body().isEmpty() ? mapper.createObjectNode() : mapper.readTree(response.body());
    }
}
