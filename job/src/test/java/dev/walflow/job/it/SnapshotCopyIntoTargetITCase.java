package dev.walflow.job.it;

import dev.walflow.testkit.SqlRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snapshot batches go into the target with COPY, which cannot update: a batch that meets rows
 * already in the target must still leave the target equal to the source (it is upserted
 * instead), and a table whose target is empty is copied.
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
            p.sourceSql(ddl.formatted("filled"), ddl.formatted("empty"),
                    "INSERT INTO filled SELECT g, E'row\\t' || g || E'\\\\n', g * 1.25, timestamptz '2024-01-01 00:00+00' + g * interval '1 s'"
                            + " FROM generate_series(1, 3000) g",
                    "INSERT INTO empty SELECT g, CASE g % 3 WHEN 0 THEN NULL WHEN 1 THEN 'ü € ' || g"
                            + " ELSE E'tab\\there, back\\\\slash\\nnew line\\rreturn \\\\N ' || g END, g, NULL FROM generate_series(1, 3000) g");
            try (Connection t = p.target()) {
                // Stale copies of some source rows, as a target left from an earlier run has them.
                SqlRunner.execute(t, ddl.formatted("filled"),
                        "INSERT INTO filled SELECT g, 'stale', 0, NULL FROM generate_series(1000, 1100) g");
            }
            p.param("source.tables", "public.filled,public.empty").start();
            p.awaitTargetEqualsSource("public.filled", "public.empty");
            assertThat(logs.text())
                    .contains("Snapshot rows of public.filled meet rows already in the target")
                    .containsPattern("Copied [0-9]+ snapshot rows into public.empty")
                    .doesNotContain("Snapshot rows of public.empty meet");
        }
    }
}
