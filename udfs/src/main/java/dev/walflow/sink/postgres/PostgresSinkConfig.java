package dev.walflow.sink.postgres;

import dev.walflow.sink.DeliveryGuarantee;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/** Everything a PostgreSQL sink subtask needs, resolved from job options at start. */
public final class PostgresSinkConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String url;
    private final String username;
    private final String password;
    private final int batchMaxRows;
    private final Duration batchInterval;
    private final int maxRetries;
    private final DeliveryGuarantee deliveryGuarantee;

    public PostgresSinkConfig(
            String url,
            String username,
            String password,
            int batchMaxRows,
            Duration batchInterval,
            int maxRetries,
            DeliveryGuarantee deliveryGuarantee) {
        this.url = Objects.requireNonNull(url, "url must not be null");
        this.username = username;
        this.password = password;
        this.batchMaxRows = batchMaxRows;
        this.batchInterval = batchInterval;
        this.maxRetries = maxRetries;
        this.deliveryGuarantee = deliveryGuarantee;
    }

    public String url() {
        return url;
    }

    public int batchMaxRows() {
        return batchMaxRows;
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
        return p;
    }

    @Override
    public String toString() {
        return "PostgresSinkConfig{url=" + url + ", user=" + username + ", batchMaxRows="
                + batchMaxRows + ", batchInterval=" + batchInterval + ", guarantee="
                + deliveryGuarantee + "}";
    }
}
