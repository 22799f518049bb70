package dev.walflow.logging;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Keeps the connector's own log lines that carry the source password out of the log, whatever
 * logging configuration the cluster uses. Flink CDC 3.5 logs its whole Debezium configuration,
 * {@code database.password} included, at INFO when a split starts reading
 * ({@code PostgresSourceFetchTaskContext}); this raises that one logger to WARN on the JVM that
 * runs the reader. A no-op when the logging backend is not log4j 2 (then set the level there).
 */
public final class ConnectorLogGuard {

    static final String CONFIG_DUMP_LOGGER =
            "org.apache.flink.cdc.connectors.postgres.source.fetch.PostgresSourceFetchTaskContext";

    private ConnectorLogGuard() {}

    public static void quietConfigurationDump() {
        try {
            if (!LogManager.getLogger(CONFIG_DUMP_LOGGER).isEnabled(Level.INFO)) {
                return;
            }
            Configurator.setLevel(CONFIG_DUMP_LOGGER, Level.WARN);
        } catch (LinkageError | RuntimeException e) {
            // Another logging backend (or none): its configuration decides.
        }
    }
}
