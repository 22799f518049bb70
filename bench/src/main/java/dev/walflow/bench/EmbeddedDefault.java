package dev.walflow.bench;

import dev.walflow.testkit.DemoSchema;
import dev.walflow.testkit.DemoWorkload;
import dev.walflow.testkit.PostgresServer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The local run's embedded default: a PostgreSQL with databases {@code source} (demo schema,
 * seed rows, workload) and {@code target}, and the job parameters that connect them.
 */
final class EmbeddedDefault implements AutoCloseable {

    static final String SOURCE = "source";
    static final String TARGET = "target";

    private final PostgresServer postgres;
    private final PrintStream out;
    private DemoWorkload workload;

    private EmbeddedDefault(PostgresServer postgres, PrintStream out) {
        this.postgres = postgres;
        this.out = out;
    }

    /**
     * Starts PostgreSQL on {@code port} (0: a free one) with fresh data, creates and seeds the
     * demo schema, and starts the workload at {@code rate} transactions/s (0: none). The server
     * stops on {@link #close()}, not by itself at JVM exit, so that the job can be cancelled
     * first.
     */
    static EmbeddedDefault start(int port, double rate, PrintStream out) throws SQLException {
        out.println("Starting the embedded PostgreSQL...");
        EmbeddedDefault embedded = new EmbeddedDefault(PostgresServer.start(port, null, false), out);
        try {
            embedded.postgres.createDatabase(SOURCE);
            embedded.postgres.createDatabase(TARGET);
            try (Connection c = embedded.postgres.connect(SOURCE)) {
                DemoSchema.create(c);
                DemoSchema.seed(c);
            }
            if (rate > 0) {
                embedded.workload =
                        DemoWorkload.start(
                                embedded.postgres.jdbcUrl(SOURCE),
                                PostgresServer.USER,
                                PostgresServer.PASSWORD,
                                rate);
            }
            return embedded;
        } catch (SQLException | RuntimeException e) {
            embedded.close();
            throw e;
        }
    }

    /** Job parameters for replicating the demo tables from source to target. */
    List<String> jobArgs(Path checkpointDir) {
        return List.of(
                "--source.url", postgres.jdbcUrl(SOURCE),
                "--source.username", PostgresServer.USER,
                "--source.password", PostgresServer.PASSWORD,
                "--source.tables", String.join(",", DemoSchema.TABLES),
                "--sink.postgres.url", postgres.jdbcUrl(TARGET),
                "--sink.postgres.username", PostgresServer.USER,
                "--sink.postgres.password", PostgresServer.PASSWORD,
                "--checkpoint.interval", "5s",
                "--checkpoint.dir", checkpointDir.toAbsolutePath().toUri().toString());
    }

    /** The running workload, or null when there is none. */
    DemoWorkload workload() {
        return workload;
    }

    /** Stops the workload, then PostgreSQL. */
    @Override
    public void close() {
        if (workload != null) {
            workload.close();
        }
        out.println("Stopping the embedded PostgreSQL...");
        try {
            postgres.close();
        } catch (RuntimeException e) {
            out.println("Stopping the embedded PostgreSQL failed: " + e.getMessage());
        }
    }
}
