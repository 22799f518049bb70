package dev.walflow.bench.postgres;

import dev.walflow.testkit.PostgresServer;

import java.sql.Connection;
import java.sql.SQLException;

/** One database of the benchmark's PostgreSQL server. */
record SourceDatabase(PostgresServer server, String name) {

    Connection connect() throws SQLException {
        return server.connect(name);
    }

    String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    /** A libpq connection string, for pg_recvlogical and pgbench. */
    String libpq() {
        return "host=127.0.0.1 port=" + server.port() + " dbname=" + name + " user=" + PostgresServer.USER;
    }
}
