package dev.walflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads a job's state, sink throughput and failures from Flink's REST API. */
final class FlinkRestClient {

    /** A job as the REST API shows it: its state and the records its sink vertices read. */
    record JobView(String state, long sinkRecords) {}

    /** The latest exception in a job's history: when it happened and what it said. */
    record Failure(long timestamp, String task, String summary) {}

    private static final int MAX_SUMMARY = 500;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private final String baseUrl;
    private final String sinkName;

    /**
     * @param baseUrl e.g. {@code http://127.0.0.1:8081}
     * @param sinkName the name the sink's operators carry (vertices whose name starts with it)
     */
    FlinkRestClient(String baseUrl, String sinkName) {
        this.baseUrl = baseUrl;
        this.sinkName = sinkName;
    }

    /** The id of the newest job with this name in {@code /jobs/overview}, or null. */
    String findJob(String name) throws IOException {
        JsonNode jobs = get("/jobs/overview").path("jobs");
        String id = null;
        long newest = Long.MIN_VALUE;
        for (JsonNode job : jobs) {
            if (name.equals(job.path("name").asText()) && job.path("start-time").asLong() > newest) {
                newest = job.path("start-time").asLong();
                id = job.path("jid").asText();
            }
        }
        return id;
    }

    JobView job(String jobId) throws IOException {
        JsonNode job = get("/jobs/" + jobId);
        long records = 0;
        for (JsonNode vertex : job.path("vertices")) {
            if (vertex.path("name").asText().startsWith(sinkName)) {
                records += vertex.path("metrics").path("read-records").asLong();
            }
        }
        return new JobView(job.path("state").asText("UNKNOWN"), records);
    }

    /** The newest entry of the job's exception history, or null when it has none. */
    Failure latestFailure(String jobId) throws IOException {
        JsonNode entries = get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
        if (!entries.isArray() || entries.isEmpty()) {
            return null;
        }
        JsonNode latest = entries.get(0);
        return new Failure(
                latest.path("timestamp").asLong(),
                latest.path("taskName").asText(null),
                summarize(latest.path("stacktrace").asText("")));
    }

    /** The first line of a stack trace and, when there is one, its deepest cause. */
    static String summarize(String stacktrace) {
        String[] lines = stacktrace.split("\n");
        String first = lines[0].trim();
        String root = null;
        for (String line : lines) {
            if (line.startsWith("Caused by: ")) {
                root = line.substring("Caused by: ".length()).trim();
            }
        }
        String summary = root == null || root.equals(first) ? first : first + " ... caused by " + root;
        return summary.length() <= MAX_SUMMARY ? summary : summary.substring(0, MAX_SUMMARY) + "...";
    }

    private JsonNode get(String path) throws IOException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(Duration.ofSeconds(5))
                        .GET()
                        .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while calling " + baseUrl + path, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET " + baseUrl + path + " answered " + response.statusCode() + ": "
                            + response.body());
        }
        return mapper.readTree(response.body());
    }
}
