package dev.walflow.bench.postgres;

import dev.walflow.testkit.SqlRunner;

import java.sql.Connection;
import java.util.List;

/**
 * PostgreSQL's own ceiling for a stream: how fast {@code pg_recvlogical} decodes, with pgoutput
 * and the job's publication, the WAL a workload wrote. Two slots are made before the workload;
 * each is read once to the WAL position after it, one before walflow runs and one after, while
 * walflow is idle, so pg_recvlogical and walflow never share the CPU. The faster of the two
 * readings is the limit: a single reading moved by up to a third with what the server was doing
 * in that minute (right after the 10M-row snapshot, decoding took 13 s instead of 9), and the
 * faster one is the harder yardstick for walflow.
 */
final class DecodeLimit implements AutoCloseable {

    private static final List<String> SLOTS = List.of("bench_decode_limit_a", "bench_decode_limit_b");

    private final SourceDatabase source;
    private final String publication;
    private String end;
    private int read;
    private double fastest = Double.MAX_VALUE;

    private DecodeLimit(SourceDatabase source, String publication) {
        this.source = source;
        this.publication = publication;
    }

    /** Makes the slots; the WAL written from now on is what {@link #decode()} reads. */
    static DecodeLimit begin(SourceDatabase source, String publication) throws Exception {
        try (Connection c = source.connect()) {
            for (String slot : SLOTS) {
                SqlRunner.execute(c, "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            }
        }
        return new DecodeLimit(source, publication);
    }

    /**
     * Decodes, from the next unread slot, the WAL up to where it ended at the first call (what
     * walflow writes to its target later is not part of it); returns the seconds it took.
     */
    double decode() throws Exception {
        if (read == SLOTS.size()) {
            throw new IllegalStateException("Both slots were read");
        }
        if (end == null) {
            try (Connection c = source.connect()) {
                end = SqlRunner.queryString(c, "SELECT pg_current_wal_lsn()");
            }
        }
        List<String> command = List.of(Tools.binary("pg_recvlogical").toString(), "-d", source.libpq(),
                "-S", SLOTS.get(read++), "--start", "-E", end, "--no-loop", "-f", "/dev/null",
                "-o", "proto_version=1", "-o", "publication_names=" + publication);
        long start = System.nanoTime();
        Tools.run(command, "pg_recvlogical");
        double seconds = (System.nanoTime() - start) / 1e9;
        fastest = Math.min(fastest, seconds);
        return seconds;
    }

    /** The fastest decode so far. */
    double fastestSeconds() {
        return fastest;
    }

    @Override
    public void close() throws Exception {
        try (Connection c = source.connect()) {
            for (String slot : SLOTS) {
                SqlRunner.execute(c, "SELECT pg_drop_replication_slot('" + slot + "')");
            }
        }
    }
}
