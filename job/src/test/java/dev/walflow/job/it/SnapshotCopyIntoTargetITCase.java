package dev.walflow.job.it;

import dev.walflow.testkit.SqlRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snapshot batches go into the target with COPY, which cannot update: a batch that meets rows
 * already in the target must still leave the target equal to the source (it is upserted
 * instead), a table whose target is empty is copied, and so is one whose target holds rows
 * with none of the snapshot's keys (each batch's keys looked up first).
 */
@ExtendWith(TestPostgres.class)
class SnapshotCopyIntoTargetITCase {

    @Test
    void snapshotRowsMeetingTargetRowsAreUpsertedAndTheRestCopied() throws Exception {
        String source = TestPostgres.newDatabase("copy_into_src");
        String target = TestPostgres.newDatabase("copy_into_dst");
        try (LogCapture logs = LogCapture.open();
                Pipeline p = new Pipeline(source, target, "copy_into_slot")) {
            String ddl = "CREATE TABLE %s (id int PRIMARY KEY, note text, amount numeric(10,2), at timestamptz)";
            p.sourceSql(ddl.formatted("filled"), ddl.formatted("empty"), ddl.formatted("apart"),
                    "INSERT INTO apart SELECT g, 'apart ' || g, g, NULL FROM generate_series(1, 3000) g",
                    "INSERT INTO filled SELECT g, E'row\\t' || g || E'\\\\n', g * 1.25, timestamptz '2024-01-01 00:00+00' + g * interval '1 s'"
                            + " FROM generate_series(1, 3000) g",
                    "INSERT INTO empty SELECT g, CASE g % 3 WHEN 0 THEN NULL WHEN 1 THEN 'ü € ' || g"
                            + " ELSE E'tab\\there, back\\\\slash\\nnew line\\rreturn \\\\N ' || g END, g, NULL FROM generate_series(1, 3000) g");
            try (Connection t = p.target()) {
                // Stale copies of some source rows, as a target left from an earlier run has them.
                SqlRunner.execute(t, ddl.formatted("filled"),
                        "INSERT INTO filled SELECT g, 'stale', 0, NULL FROM generate_series(1000, 1100) g",
                        // A row the source does not have: the target is not empty, but no key meets.
                        ddl.formatted("apart"), "INSERT INTO apart VALUES (-1, 'target only', 0, NULL)");
            }
            p.param("source.tables", "public.filled,public.empty,public.apart").start();
            p.awaitTargetEqualsSource("public.filled", "public.empty");
            Pipeline.await("3001 rows in the target's apart", () -> count(p, "apart") == 3001);
            try (Connection t = p.target()) {
                SqlRunner.execute(t, "DELETE FROM apart WHERE id = -1");
            }
            p.awaitTargetEqualsSource("public.apart");
            assertThat(logs.text())
                    .contains("Snapshot rows of public.filled meet rows already in the target")
                    .containsPattern("Copied [0-9]+ snapshot rows into public.empty")
                    .containsPattern("Copied [0-9]+ snapshot rows into public.apart")
                    .doesNotContain("Snapshot rows of public.empty meet")
                    .doesNotContain("Snapshot rows of public.apart meet");
        }
    }

    private static long count(Pipeline p, String table) {
        try (Connection t = p.target();
                Statement s = t.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }
}
