package dev.walflow.e2e;

import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A source and a target database around one table, {@code public.ledger}, whose changes are
 * counted on both sides: a source trigger records each (id, version, operation) produced, a
 * target trigger each row version applied. Exactly-once then reads as: the target equals the
 * source, no row version was applied twice, and change_history holds each produced change once.
 */
final class LedgerDatabases {

    static final String TABLE = "public.ledger";
    private static final String DDL =
            "CREATE TABLE ledger (id int PRIMARY KEY, version int NOT NULL, note text)";

    private final PostgresServer server;
    private final String source;
    private final String target;
    private int nextId;

    LedgerDatabases(PostgresServer server, String source, String target) {
        this.server = server;
        this.source = source;
        this.target = target;
    }

    String sourceUrl() {
        return server.jdbcUrl(source);
    }

    String targetUrl() {
        return server.jdbcUrl(target);
    }

    /** Creates both databases and the table, with {@code rows} rows for the snapshot. */
    void create(int rows) throws SQLException {
        server.createDatabase(source);
        server.createDatabase(target);
        try (Connection s = server.connect(source); Connection t = server.connect(target)) {
            SqlRunner.execute(s, DDL,
                    "CREATE TABLE produced (id int, version int, op text)",
                    "CREATE FUNCTION count_produced() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                            + " IF TG_OP = 'DELETE' THEN INSERT INTO produced VALUES (OLD.id, OLD.version, TG_OP);"
                            + " ELSE INSERT INTO produced VALUES (NEW.id, NEW.version, TG_OP); END IF;"
                            + " RETURN NULL; END $$",
                    "CREATE TRIGGER produced AFTER INSERT OR UPDATE OR DELETE ON ledger"
                            + " FOR EACH ROW EXECUTE FUNCTION count_produced()",
                    "INSERT INTO ledger SELECT g, 1, 'snapshot' FROM generate_series(1, " + rows + ") g",
                    // The snapshot reaches history as SNAPSHOT rows: only later changes count.
                    "TRUNCATE produced");
            SqlRunner.execute(t, DDL,
                    "CREATE TABLE applied (id int, version int)",
                    "CREATE FUNCTION count_applied() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                            + " INSERT INTO applied VALUES (NEW.id, NEW.version); RETURN NULL; END $$",
                    "CREATE TRIGGER applied AFTER INSERT OR UPDATE ON ledger"
                            + " FOR EACH ROW EXECUTE FUNCTION count_applied()");
        }
        nextId = rows + 1;
    }

    /**
     * Writes {@code transactions} transactions, each inserting a row, updating two older ones
     * and, every fourth, deleting one.
     */
    void write(int transactions) throws SQLException {
        try (Connection c = server.connect(source)) {
            c.setAutoCommit(false);
            for (int i = 0; i < transactions; i++) {
                int id = nextId++;
                SqlRunner.execute(c,
                        "INSERT INTO ledger VALUES (" + id + ", 1, 'new')",
                        "UPDATE ledger SET version = version + 1, note = 'updated' WHERE id = " + (id / 2),
                        "UPDATE ledger SET version = version + 1 WHERE id = " + (id / 3));
                if (i % 4 == 3) {
                    SqlRunner.execute(c, "DELETE FROM ledger WHERE id = " + (id - 7));
                }
                c.commit();
            }
        }
    }

    long sourceCount(String sql) throws SQLException {
        try (Connection c = server.connect(source)) {
            return SqlRunner.queryLong(c, sql);
        }
    }

    long targetCount(String sql) throws SQLException {
        try (Connection c = server.connect(target)) {
            return SqlRunner.queryLong(c, sql);
        }
    }

    List<List<String>> sourceRows(String sql) throws SQLException {
        try (Connection c = server.connect(source)) {
            return SqlRunner.rows(c, sql);
        }
    }

    List<List<String>> targetRows(String sql) throws SQLException {
        try (Connection c = server.connect(target)) {
            return SqlRunner.rows(c, sql);
        }
    }

    /** Whether the target's ledger holds exactly the source's rows. */
    boolean targetEqualsSource() {
        try {
            String rows = "SELECT id, version, note FROM ledger ORDER BY id";
            return targetRows(rows).equals(sourceRows(rows));
        } catch (SQLException | IllegalStateException e) {
            return false; // the target table may not exist yet
        }
    }

    /** Changes produced at the source since the snapshot, and how change_history recorded them. */
    String describe() {
        try {
            return "source rows " + sourceCount("SELECT count(*) FROM ledger")
                    + ", target rows " + targetCount("SELECT count(*) FROM ledger")
                    + ", produced " + sourceCount("SELECT count(*) FROM produced")
                    + ", in history " + targetCount("SELECT count(*) FROM walflow.change_history"
                            + " WHERE operation <> 'SNAPSHOT'")
                    + ", prepared " + targetRows("SELECT gid FROM pg_prepared_xacts");
        } catch (SQLException | IllegalStateException e) {
            return "(databases not readable: " + e.getMessage() + ")";
        }
    }
}
