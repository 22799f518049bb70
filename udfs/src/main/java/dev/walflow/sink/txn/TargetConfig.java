package dev.walflow.sink.txn;

import dev.walflow.sink.DeliveryGuarantee;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/** A PostgreSQL database a sink writes into, and how it writes. */
public final class TargetConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String url;
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
        this.url = Objects.requireNonNull(url, "url must not be null");
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
        return p;
    }

    @Override
    public String toString() {
        return "TargetConfig{url=" + url + ", user=" + username + ", batchMaxRows=" + batchMaxRows
                + ", batchInterval=" + batchInterval + ", guarantee=" + deliveryGuarantee + ", job=" + jobName + "}";
    }
}
