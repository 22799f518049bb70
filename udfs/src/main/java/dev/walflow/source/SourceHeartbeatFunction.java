package dev.walflow.source;

import dev.walflow.model.ChangeEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

import java.time.Duration;
import java.util.Properties;

/**
 * Passes changes through unchanged; while it runs (once per job, beside the source) a
 * {@link SourceHeartbeat} writes heartbeat messages into the source's WAL.
 */
public final class SourceHeartbeatFunction extends RichMapFunction<ChangeEvent, ChangeEvent> {

    private static final long serialVersionUID = 1L;

    private final String url;
    private final Properties connectionProperties;
    private final Duration interval;
    private transient SourceHeartbeat heartbeat;

    public SourceHeartbeatFunction(String url, Properties connectionProperties, Duration interval) {
        this.url = url;
        this.connectionProperties = connectionProperties;
        this.interval = interval;
    }

    @Override
    public void open(OpenContext openContext) {
        heartbeat = new SourceHeartbeat(url, connectionProperties, interval);
        heartbeat.start();
    }

    @Override
    public ChangeEvent map(ChangeEvent event) {
        return event;
    }

    @Override
    public void close() {
        if (heartbeat != null) {
            heartbeat.close();
            heartbeat = null;
        }
    }
}
