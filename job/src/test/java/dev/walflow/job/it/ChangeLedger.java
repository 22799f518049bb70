package dev.walflow.job.it;

import dev.walflow.testkit.SqlRunner;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A table whose every change is counted on both sides, so exactly-once can be checked by
 * counting rather than sampling. Each change to {@code ledger} gives the row a new version; a
 * trigger in the source records every (id, version, operation) produced, a trigger in the
 * target every row version applied, and {@code change_history} must hold each produced change
 * once.
 */
final class ChangeLedger {

    static final String TABLE = "public.ledger";
    private static final String DDL = "CREATE TABLE ledger (id int PRIMARY KEY, version int NOT NULL, payload text)";

    private final Pipeline p;
    private final Random random;
    private int nextId;

    ChangeLedger(Pipeline p) {
        this(p, new Random(42), 1);
    }

    private ChangeLedger(Pipeline p, Random random, int nextId) {
        this.p = p;
        this.random = random;
        this.nextId = nextId;
    }

    /** The same ledger, observed through another run of the job. */
    ChangeLedger on(Pipeline other) {
        return new ChangeLedger(other, random, nextId);
    }

    /** Creates the table on both sides with its counting triggers, and some rows to snapshot. */
    void create(int initialRows) throws SQLException {
        p.sourceSql(DDL,
                "CREATE TABLE produced (id int, version int, op text)",
                "CREATE FUNCTION record_produced() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " IF TG_OP = 'DELETE' THEN INSERT INTO produced VALUES (OLD.id, OLD.version, 'DELETE');"
                        + " ELSE INSERT INTO produced VALUES (NEW.id, NEW.version, TG_OP); END IF; RETURN NULL; END $$",
                "CREATE TRIGGER produced AFTER INSERT OR UPDATE OR DELETE ON ledger FOR EACH ROW EXECUTE FUNCTION record_produced()",
                "INSERT INTO ledger SELECT g, 1, md5(g::text) FROM generate_series(1, " + initialRows + ") g",
                // Rows present at start reach history as SNAPSHOT rows, counted apart.
                "TRUNCATE produced");
        nextId = initialRows + 1;
        try (Connection t = p.target()) {
            SqlRunner.execute(t, DDL,
                    "CREATE TABLE applied (id int, version int)",
                    "CREATE FUNCTION record_applied() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                            + " INSERT INTO applied VALUES (NEW.id, NEW.version); RETURN NULL; END $$",
                    "CREATE TRIGGER applied AFTER INSERT OR UPDATE ON ledger FOR EACH ROW EXECUTE FUNCTION record_applied()");
        }
    }

    /** Runs {@code transactions} transactions of inserts, updates and deletes. */
    void write(int transactions) throws SQLException {
        write(transactions, 0);
    }

    /** As {@link #write(int)}, pausing between transactions. */
    void write(int transactions, long pauseMillis) throws SQLException {
        try (Connection c = p.source()) {
            c.setAutoCommit(false);
            for (int i = 0; i < transactions; i++) {
                StringBuilder sql = new StringBuilder();
                sql.append("INSERT INTO ledger VALUES (").append(nextId).append(", 1, 'new');");
                sql.append("INSERT INTO ledger VALUES (").append(nextId + 1).append(", 1, 'new');");
                nextId += 2;
                for (int u = 0; u < 3; u++) {
                    sql.append("UPDATE ledger SET version = version + 1, payload = md5(random()::text) WHERE id = ")
                            .append(1 + random.nextInt(nextId)).append(';');
                }
                if (i % 5 == 0) {
                    sql.append("DELETE FROM ledger WHERE id = ").append(1 + random.nextInt(nextId)).append(';');
                }
                SqlRunner.execute(c, sql.toString());
                c.commit();
                if (pauseMillis > 0) {
                    try {
                        Thread.sleep(pauseMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /**
     * Inserts {@code rows} new rows with one COPY, in one transaction. PostgreSQL writes them
     * as multi-row WAL records, so many changes share one LSN.
     */
    void copy(int rows) throws SQLException, java.io.IOException {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            data.append(nextId++).append("\t1\tcopied\n");
        }
        try (Connection c = p.source()) {
            new org.postgresql.copy.CopyManager(c.unwrap(org.postgresql.core.BaseConnection.class))
                    .copyIn("COPY ledger (id, version, payload) FROM STDIN", new java.io.StringReader(data.toString()));
        }
    }

    /** Up to {@code limit} produced (id, version) pairs of inserts and updates not in change_history. */
    private List<List<String>> missingInHistory(int limit) throws SQLException {
        try (Connection t = p.target(); Connection src = p.source()) {
            java.util.Set<List<String>> inHistory = new java.util.HashSet<>(SqlRunner.rows(t,
                    "SELECT data->>'id', data->>'version' FROM walflow.change_history WHERE operation IN ('INSERT', 'UPDATE')"));
            List<List<String>> missing = new java.util.ArrayList<>();
            for (List<String> row : SqlRunner.rows(src, "SELECT id::text, version::text FROM produced WHERE op <> 'DELETE' ORDER BY id, version")) {
                if (!inHistory.contains(row) && missing.size() < limit) {
                    missing.add(row);
                }
            }
            return missing;
        }
    }

    /** Target equals source; nothing applied twice; every change in change_history exactly once. */
    void assertExactlyOnce() throws Exception {
        p.awaitTargetEqualsSource(TABLE);
        Pipeline.diagnostics = () -> {
            try (Connection t = p.target()) {
                return "missing in history " + missingInHistory(15) + "; history " + SqlRunner.rows(t, "SELECT operation, count(*), count(DISTINCT (lsn, change_lsn, ordinal)) FROM walflow.change_history GROUP BY 1 ORDER BY 1")
                        + " prepared " + SqlRunner.rows(t, "SELECT gid FROM pg_prepared_xacts")
                        + " progress " + SqlRunner.rows(t, "SELECT * FROM walflow.progress");
            } catch (SQLException e) {
                return e.getMessage();
            }
        };
        try (Connection s = p.source(); Connection t = p.target()) {
            long produced = SqlRunner.queryLong(s, "SELECT count(*) FROM produced");
            assertThat(SqlRunner.queryLong(t, "SELECT count(*) - count(DISTINCT (id, version)) FROM applied"))
                    .as("row versions applied twice to the target")
                    .isZero();
            Pipeline.await("change_history to hold all " + produced + " changes (produced "
                    + SqlRunner.rows(s, "SELECT op, count(*) FROM produced GROUP BY op ORDER BY op") + ")", () -> {
                try (Connection h = p.target()) {
                    return SqlRunner.queryLong(h, "SELECT count(*) FROM walflow.change_history"
                            + " WHERE table_name = 'public.ledger' AND operation <> 'SNAPSHOT'") >= produced;
                } catch (SQLException e) {
                    return false;
                }
            });
            String historyChanges = "SELECT coalesce(data->>'id', old_data->>'id') AS id,"
                    + " coalesce(data->>'version', '?') AS version, operation FROM walflow.change_history"
                    + " WHERE table_name = 'public.ledger' AND operation <> 'SNAPSHOT'";
            assertThat(SqlRunner.queryLong(t, "SELECT count(*) FROM (" + historyChanges + ") h")).as("changes in change_history").isEqualTo(produced);
            assertThat(SqlRunner.rows(t, "SELECT id, version, operation, count(*) FROM (" + historyChanges
                            + ") h WHERE operation <> 'DELETE' GROUP BY 1, 2, 3 HAVING count(*) > 1"))
                    .as("changes recorded twice in change_history")
                    .isEmpty();
            assertThat(SqlRunner.rows(t, "SELECT id, version FROM (" + historyChanges + ") h WHERE operation <> 'DELETE' ORDER BY 1, 2"))
                    .as("inserts and updates in change_history")
                    .containsExactlyElementsOf(SqlRunner.rows(s, "SELECT id::text, version::text FROM produced WHERE op <> 'DELETE' ORDER BY 1, 2"));
            assertThat(SqlRunner.queryLong(t, "SELECT count(*) FROM walflow.change_history WHERE operation = 'SNAPSHOT'"
                    + " GROUP BY table_name, row_key HAVING count(*) > 1 UNION ALL SELECT 0 LIMIT 1"))
                    .as("snapshot rows recorded twice")
                    .isZero();
            assertThat(SqlRunner.queryLong(t, "SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE 'walflow:%'"))
                    .as("prepared transactions left after the last commit")
                    .isLessThanOrEqualTo(2);
        }
    }
}
