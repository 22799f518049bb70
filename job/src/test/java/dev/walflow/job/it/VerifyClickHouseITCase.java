package dev.walflow.job.it;

import dev.walflow.job.VerifyJob;
import dev.walflow.verify.VerifyReport;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * VerifyJob checks the ClickHouse copy's keys too: clean after replication, then a row
 * deleted and a row added behind walflow's back (integer key, per range) and a row deleted from
 * a table with a text key (whole table) are reported.
 */
@ExtendWith({TestPostgres.class, TestClickHouse.class})
class VerifyClickHouseITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    @Test
    void reportsKeysMissingOrExtraInClickHouse() throws Exception {
        String db = TestClickHouse.newDatabase("verify_ch");
        try (Pipeline p = TestClickHouse.sinkTo(new Pipeline(TestPostgres.newDatabase("verify_ch_src"),
                TestPostgres.newDatabase("verify_ch_dst"), "verify_ch_slot"), db)) {
            p.sourceSql(
                    "CREATE TABLE items (id int PRIMARY KEY, name text, qty int)",
                    "CREATE TABLE tags (name text PRIMARY KEY, n int)",
                    "INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1, 3000) g",
                    "INSERT INTO tags SELECT 'tag-' || g, g FROM generate_series(1, 50) g");
            p.param("source.tables", "public.items,public.tags").start();
            p.awaitTargetEqualsSource("public.items", "public.tags");
            Pipeline.await("ClickHouse to hold every row", () ->
                    TestClickHouse.rows("SELECT count() FROM `" + db + "`.items_live").equals(List.of("3000"))
                            && TestClickHouse.rows("SELECT count() FROM `" + db + "`.tags_live").equals(List.of("50")));

            VerifyReport clean = verify(p);
            assertThat(clean.errors).isEmpty();
            assertThat(clean.clickHouse).isTrue();
            assertThat(clean.status()).as("clean: %s", clean.rows).isEqualTo(VerifyReport.Status.CONSISTENT);

            // Newest versions that delete or add rows, as if written outside walflow.
            TestClickHouse.server().execute("INSERT INTO `" + db + "`.items (id, name, qty, _version, _deleted)"
                    + " VALUES (7, 'x', 1, 1000000000000000000, 1), (5000, 'ghost', 1, 1000000000000000000, 0)");
            TestClickHouse.server().execute("INSERT INTO `" + db + "`.tags (name, n, _version, _deleted)"
                    + " VALUES ('tag-3', 3, 1000000000000000000, 1)");
            VerifyReport drift = verify(p);
            assertThat(drift.errors).isEmpty();
            assertThat(drift.status()).isEqualTo(VerifyReport.Status.INCONSISTENT);
            assertThat(drift.mismatches()).isEqualTo(3);
            assertThat(drift.clickHouseMissing).isEqualTo(2);
            assertThat(drift.clickHouseExtra).isEqualTo(1);
            assertThat(drift.rows)
                    .extracting(r -> r.table, r -> r.kind, r -> r.key)
                    .containsExactlyInAnyOrder(
                            tuple("public.items", "clickhouse_missing", List.of("7")),
                            tuple("public.items", "clickhouse_extra", List.of("5000")),
                            tuple("public.tags", "clickhouse_missing", List.of("tag-3")));
        }
    }

    private static VerifyReport verify(Pipeline p) throws Exception {
        List<String> args = new ArrayList<>(List.of(p.args()));
        args.addAll(List.of("--verify.range-rows", "1000", "--verify.lag-timeout", "60s", "--verify.parallelism", "2"));
        return VerifyJob.run(StreamExecutionEnvironment::getExecutionEnvironment, args.toArray(new String[0]));
    }
}
