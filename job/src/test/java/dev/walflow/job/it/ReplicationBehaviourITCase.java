package dev.walflow.job.it;

import dev.walflow.testkit.SqlRunner;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The row-matching rules with two sink subtasks: unchanged TOAST values kept, primary-key
 * changes, composite and mixed-case keys, key-less tables with duplicates, TRUNCATE.
 */
@ExtendWith(TestPostgres.class)
class ReplicationBehaviourITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    private static final String DDL =
            "CREATE TABLE docs (id int PRIMARY KEY, title text, body text, version int);"
                    + "ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;"
                    + "CREATE TABLE lines (order_id int, line_no int, qty int, note text, PRIMARY KEY (order_id, line_no));"
                    + "CREATE SCHEMA \"Sales\";"
                    + "CREATE TABLE \"Sales\".\"OrderItems\" (\"ItemId\" int PRIMARY KEY, \"Name\" text, \"select\" text);"
                    + "CREATE TABLE events (kind text, payload jsonb, n int);"
                    + "ALTER TABLE events REPLICA IDENTITY FULL;"
                    + "CREATE TABLE counters (id int PRIMARY KEY, n bigint);";

    private static final String[] TABLES = {
        "public.docs", "public.lines", "\"Sales\".\"OrderItems\"", "public.events", "public.counters"
    };

    @Test
    void matchesRowsByKeyOrWholeRowAndAppliesTruncate() throws Exception {
        String source = TestPostgres.newDatabase("behaviour_src");
        String target = TestPostgres.newDatabase("behaviour_dst");
        try (Pipeline p = new Pipeline(source, target, "behaviour_slot")) {
            p.sourceSql(DDL);
            p.sourceSql(
                    "INSERT INTO docs SELECT g, 'title ' || g, repeat(md5(g::text), 1000), 1 FROM generate_series(1, 50) g",
                    "INSERT INTO lines SELECT o, l, o * l, 'n' FROM generate_series(1, 20) o, generate_series(1, 3) l",
                    "INSERT INTO \"Sales\".\"OrderItems\" VALUES (1, 'One', 'a'), (2, 'Two', 'b')",
                    "INSERT INTO events VALUES ('dup', '{\"a\": 1}', 1), ('dup', '{\"a\": 1}', 1), ('dup', '{\"a\": 1}', 1), ('other', null, 2)",
                    "INSERT INTO counters SELECT g, 0 FROM generate_series(1, 100) g");
            p.param("source.tables", String.join(",", TABLES))
                    .param("sink.postgres.parallelism", "2")
                    .start();
            p.awaitTargetEqualsSource(TABLES);

            // Unchanged TOAST: the body is not in the WAL for these updates.
            p.sourceSql("UPDATE docs SET version = version + 1 WHERE id <= 25");
            // Both in one transaction, so the sink sees them in one batch as well.
            p.sourceSql("BEGIN; UPDATE docs SET title = 't2' WHERE id = 30; UPDATE docs SET version = 9 WHERE id = 30; COMMIT");
            // Primary-key changes, plain and composite.
            p.sourceSql(
                    "UPDATE docs SET id = 1000 WHERE id = 40",
                    "UPDATE lines SET line_no = 9 WHERE order_id = 5 AND line_no = 1",
                    "UPDATE lines SET order_id = 99 WHERE order_id = 6",
                    "DELETE FROM lines WHERE order_id = 7",
                    "UPDATE \"Sales\".\"OrderItems\" SET \"ItemId\" = 3, \"select\" = 'c' WHERE \"ItemId\" = 2");
            // Key-less: remove one of three identical rows, change one, add another duplicate.
            p.sourceSql(
                    "DELETE FROM events WHERE ctid = (SELECT ctid FROM events WHERE kind = 'dup' LIMIT 1)",
                    "UPDATE events SET n = 5 WHERE ctid = (SELECT ctid FROM events WHERE kind = 'dup' LIMIT 1)",
                    "INSERT INTO events VALUES ('other', null, 2)");
            // The same row many times in quick succession keeps its last value.
            for (int i = 1; i <= 200; i++) {
                p.sourceSql("UPDATE counters SET n = " + i + " WHERE id = " + (i % 7 + 1));
            }
            p.awaitTargetEqualsSource(TABLES);

            // TRUNCATE reaches every sink subtask; later changes still apply.
            p.sourceSql(
                    "TRUNCATE counters",
                    "INSERT INTO counters SELECT g, g FROM generate_series(1, 10) g",
                    "TRUNCATE events",
                    "INSERT INTO events VALUES ('after', '[]', 1), ('after', '[]', 1)");
            p.awaitTargetEqualsSource(TABLES);

            try (Connection t = p.target()) {
                assertThat(SqlRunner.queryLong(t, "SELECT count(*) FROM counters")).isEqualTo(10);
                assertThat(SqlRunner.queryLong(t, "SELECT count(*) FROM events")).isEqualTo(2);
                assertThat(SqlRunner.queryLong(t, "SELECT count(*) FROM docs WHERE body IS NULL OR body LIKE '%unavailable%'"))
                        .as("no TOAST placeholder or NULL written over unchanged bodies")
                        .isZero();
            }
        }
    }
}
