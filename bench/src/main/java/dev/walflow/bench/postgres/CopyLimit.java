package dev.walflow.bench.postgres;

import org.postgresql.PGConnection;

import java.io.OutputStream;
import java.sql.Connection;

/** PostgreSQL's own ceiling for a snapshot: {@code COPY table TO STDOUT}, read and discarded. */
public final class CopyLimit {

    private CopyLimit() {}

    /** Seconds to copy the whole table out. */
    static double copySeconds(SourceDatabase source, String table) throws Exception {
        try (Connection c = source.connect()) {
            return copySeconds(c, table);
        }
    }

    /** Seconds to copy the whole table out over {@code connection}. */
    public static double copySeconds(Connection connection, String table) throws Exception {
        long start = System.nanoTime();
        connection.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + table + " TO STDOUT", OutputStream.nullOutputStream());
        return (System.nanoTime() - start) / 1e9;
    }
}
