package dev.walflow.sink.txn;

import dev.walflow.sink.DeliveryGuarantee;

import java.io.Serializable;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/** A PostgreSQL database a sink writes into, and how it writes. */
public final class TargetConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The URL without its parameters, which can hold secrets: safe in logs and messages. */
    private final String url;
    /** The URL's parameters ({@code ?password=...&sslmode=...}), passed as driver properties. */
    private final Properties urlParameters = new Properties();
    private final String username;
    private final String password;
    private final int batchMaxRows;
    private final int bulkUpsertMinRows;
    private final Duration batchInterval;
    private final int maxRetries;
    private final DeliveryGuarantee deliveryGuarantee;
    private final String jobName;
    private final String walflowSchema;
    private final String checkpointDir;

    /** @param checkpointDir the job's checkpoint storage URI, or null for the cluster's default */
    public TargetConfig(
            String url,
            String username,
            String password,
            int batchMaxRows,
            int bulkUpsertMinRows,
            Duration batchInterval,
            int maxRetries,
            DeliveryGuarantee deliveryGuarantee,
            String jobName,
            String walflowSchema,
            String checkpointDir) {
        Objects.requireNonNull(url, "url must not be null");
        int q = url.indexOf('?');
        this.url = q < 0 ? url : url.substring(0, q);
        if (q >= 0) {
            for (String pair : url.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (!pair.isEmpty()) {
                    urlParameters.setProperty(
                            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        this.username = username;
        this.password = password;
        this.batchMaxRows = batchMaxRows;
        this.bulkUpsertMinRows = bulkUpsertMinRows;
        this.batchInterval = batchInterval;
        this.maxRetries = maxRetries;
        this.deliveryGuarantee = deliveryGuarantee;
        this.jobName = jobName;
        this.walflowSchema = walflowSchema;
        this.checkpointDir = checkpointDir;
    }

    /** The same writing settings for another database (e.g. the one holding change_history). */
    public TargetConfig withDatabase(String otherUrl, String otherUsername, String otherPassword) {
        return new TargetConfig(otherUrl, otherUsername, otherPassword, batchMaxRows, bulkUpsertMinRows, batchInterval,
                maxRetries, deliveryGuarantee, jobName, walflowSchema, checkpointDir);
    }

    /**
     * The job's checkpoint storage URI, or null when the cluster's default is used: a writer
     * closing while one of its transactions is prepared reads here whether its checkpoint
     * completed.
     */
    public String checkpointDir() {
        return checkpointDir;
    }

    /**
     * The database's URL without parameters (they are in {@link #connectionProperties()}), so
     * it can appear in logs and errors without leaking a password given as {@code ?password=}.
     */
    public String url() {
        return url;
    }

    public int batchMaxRows() {
        return batchMaxRows;
    }

    /**
     * Whole-row upserts of one table and column list in a batch from which on they are sent as
     * one {@code INSERT ... SELECT FROM unnest(...)} statement instead of bound rows.
     */
    public int bulkUpsertMinRows() {
        return bulkUpsertMinRows;
    }

    public Duration batchInterval() {
        return batchInterval;
    }

    public int maxRetries() {
        return maxRetries;
    }

    public DeliveryGuarantee deliveryGuarantee() {
        return deliveryGuarantee;
    }

    public boolean exactlyOnce() {
        return deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE;
    }

    public String jobName() {
        return jobName;
    }

    /** The quoted schema of walflow's own tables. */
    public String walflowSchema() {
        return "\"" + walflowSchema.replace("\"", "\"\"") + "\"";
    }

    /**
     * Driver properties: untyped string parameters (so {@code ?::type} casts from text), UTC
     * session time zone (so timestamptz text compares the same everywhere) and multi-row
     * rewriting of batched inserts.
     */
    public Properties connectionProperties() {
        Properties p = new Properties();
        if (username != null) {
            p.setProperty("user", username);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("stringtype", "unspecified");
        p.setProperty("reWriteBatchedInserts", "true");
        p.setProperty("options", "-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres");
        p.setProperty("ApplicationName", "walflow-sink");
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("connectTimeout", "10");
        // As the driver does with a URL's parameters: they win over the properties.
        p.putAll(urlParameters);
        return p;
    }

    @Override
    public String toString() {
        return "TargetConfig{url=" + url + ", user=" + username + ", batchMaxRows=" + batchMaxRows
                + ", batchInterval=" + batchInterval + ", guarantee=" + deliveryGuarantee + ", job=" + jobName + "}";
    }
}
