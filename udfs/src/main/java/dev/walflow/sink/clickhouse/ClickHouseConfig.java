package dev.walflow.sink.clickhouse;

import dev.walflow.sink.DeliveryGuarantee;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/** Where and how the ClickHouse sink writes. */
public final class ClickHouseConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String url;
    private final String username;
    private final String password;
    private final String database;
    private final String cluster;
    private final int batchMaxRows;
    private final long batchMaxBytes;
    private final Duration batchInterval;
    private final int maxRetries;
    private final int dedupWindow;
    private final DeliveryGuarantee deliveryGuarantee;
    private final String jobName;
    private final long snapshotVersion;

    public ClickHouseConfig(
            String url,
            String username,
            String password,
            String database,
            String cluster,
            int batchMaxRows,
            long batchMaxBytes,
            Duration batchInterval,
            int maxRetries,
            int dedupWindow,
            DeliveryGuarantee deliveryGuarantee,
            String jobName,
            long snapshotVersion) {
        this.url = Objects.requireNonNull(url, "url");
        this.username = username;
        this.password = password;
        this.database = Objects.requireNonNull(database, "database");
        this.cluster = cluster;
        this.batchMaxRows = batchMaxRows;
        this.batchMaxBytes = batchMaxBytes;
        this.batchInterval = batchInterval;
        this.maxRetries = maxRetries;
        this.dedupWindow = dedupWindow;
        this.deliveryGuarantee = deliveryGuarantee;
        this.jobName = jobName;
        this.snapshotVersion = snapshotVersion;
    }

    public String url() {
        return url;
    }

    public String database() {
        return database;
    }

    /** The cluster for ON CLUSTER DDL and Distributed tables, or null for a single server. */
    public String cluster() {
        return cluster;
    }

    public int batchMaxRows() {
        return batchMaxRows;
    }

    public long batchMaxBytes() {
        return batchMaxBytes;
    }

    public Duration batchInterval() {
        return batchInterval;
    }

    public int maxRetries() {
        return maxRetries;
    }

    public int dedupWindow() {
        return dedupWindow;
    }

    public boolean exactlyOnce() {
        return deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE;
    }

    public String jobName() {
        return jobName;
    }

    /**
     * The version of snapshot rows: the source's WAL position when the job was built. Every
     * change an earlier run wrote is older, so a new snapshot replaces what a previous run left
     * (after a lost slot or a restart without state); changes streamed later are newer.
     */
    public long snapshotVersion() {
        return snapshotVersion;
    }

    public Properties connectionProperties() {
        Properties p = new Properties();
        if (username != null) {
            p.setProperty("user", username);
        }
        p.setProperty("password", password == null ? "" : password);
        return p;
    }

    @Override
    public String toString() {
        int query = url.indexOf('?');
        return "ClickHouseConfig{url=" + (query < 0 ? url : url.substring(0, query) + "?...") + ", user=" + username + ", database=" + database + ", cluster=" + cluster
                + ", batchMaxRows=" + batchMaxRows + ", guarantee=" + deliveryGuarantee + "}";
    }
}
