package dev.walflow.bench.postgres;

import dev.walflow.testkit.SqlRunner;

import java.sql.Connection;
import java.util.List;

/**
 * PostgreSQL's own ceiling for a stream: how fast {@code pg_recvlogical} decodes, with pgoutput
 * and the job's publication, the WAL a workload wrote. A slot is made before the workload and
 * read to the WAL position after it, while walflow is held back, so the two do not share the
 * CPU.
 */
final class DecodeLimit implements AutoCloseable {

    private static final String SLOT = "bench_decode_limit";

    private final SourceDatabase source;
    private final String publication;

    private DecodeLimit(SourceDatabase source, String publication) {
        this.source = source;
        this.publication = publication;
    }

    /** Makes the slot; the WAL written from now on is what {@link #decodeSeconds()} reads. */
    static DecodeLimit begin(SourceDatabase source, String publication) throws Exception {
        try (Connection c = source.connect()) {
            SqlRunner.execute(c, "SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
        }
        return new DecodeLimit(source, publication);
    }

    /** Decodes from the slot to the current end of the WAL; returns the seconds it took. */
    double decodeSeconds() throws Exception {
        String end;
        try (Connection c = source.connect()) {
            end = SqlRunner.queryString(c, "SELECT pg_current_wal_lsn()");
        }
        List<String> command = List.of(Tools.binary("pg_recvlogical").toString(), "-d", source.libpq(), "-S", SLOT,
                "--start", "-E", end, "--no-loop", "-f", "/dev/null",
                "-o", "proto_version=1", "-o", "publication_names=" + publication);
        long start = System.nanoTime();
        Tools.run(command, "pg_recvlogical");
        return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void close() throws Exception {
        try (Connection c = source.connect()) {
            SqlRunner.execute(c, "SELECT pg_drop_replication_slot('" + SLOT + "')");
        }
    }
}
