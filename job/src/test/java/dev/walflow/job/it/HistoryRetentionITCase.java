package dev.walflow.job.it;

import dev.walflow.testkit.SqlRunner;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * history.retention prunes old change_history rows, but keeps every row at or after the
 * position the slowest registered client has acknowledged.
 */
@ExtendWith(TestPostgres.class)
class HistoryRetentionITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    @Test
    void prunesOldRowsButNotWhatAClientStillNeeds() throws Exception {
        try (Pipeline p = new Pipeline(TestPostgres.newDatabase("retention_src"), TestPostgres.newDatabase("retention_dst"), "retention_slot")
                .param("source.tables", "public.notes")
                .param("history.retention", "3s")
                .param("sink.delivery-guarantee", "at-least-once")) {
            p.sourceSql("CREATE TABLE notes (id int PRIMARY KEY, v text)", "INSERT INTO notes VALUES (0, 'snapshot')");
            p.start();
            p.awaitTargetEqualsSource("public.notes");
            for (int i = 1; i <= 20; i++) {
                p.sourceSql("INSERT INTO notes VALUES (" + i + ", 'old')");
            }
            p.awaitTargetEqualsSource("public.notes");
            String acknowledged;
            try (Connection t = p.target()) {
                Pipeline.await("the first changes in history", () ->
                        SqlRunner.queryLong(t, "SELECT count(*) FROM walflow.change_history WHERE operation = 'INSERT'") == 20);
                // A client acknowledged up to the 11th change: it still needs the 11th and later.
                acknowledged = SqlRunner.queryString(t,
                        "SELECT lsn::text FROM walflow.change_history WHERE operation = 'INSERT' ORDER BY lsn, change_lsn, ordinal OFFSET 10 LIMIT 1");
                SqlRunner.execute(t, "INSERT INTO walflow.client_positions (client_id, acknowledged_lsn) VALUES ('browser-1', '" + acknowledged + "')");
            }
            Thread.sleep(4_000);
            // New changes make the history writer work, and prune.
            for (int i = 21; i <= 40; i++) {
                p.sourceSql("INSERT INTO notes VALUES (" + i + ", 'new')");
                Thread.sleep(100);
            }
            p.awaitTargetEqualsSource("public.notes");
            try (Connection t = p.target()) {
                Pipeline.await("old, acknowledged history to be pruned", () ->
                        SqlRunner.queryLong(t, "SELECT count(*) FROM walflow.change_history WHERE lsn < '" + acknowledged + "'") == 0);
                assertThat(SqlRunner.queryLong(t, "SELECT count(*) FROM walflow.change_history"
                        + " WHERE operation = 'INSERT' AND data->>'v' = 'old' AND lsn >= '" + acknowledged + "'"))
                        .as("old rows a client has not acknowledged")
                        .isEqualTo(10);
            }
        }
    }
}
