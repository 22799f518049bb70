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
 * VerifyJob checks the ClickHouse copy's keys too: clean after replication, then rows deleted
 * and rows added behind walflow's back, in a table with an integer key (per range) and one with
 * a text key (whole table), are reported; {@code --repair} mends them with the source's values,
 * and later source changes of those keys still reach ClickHouse.
 */
@ExtendWith({TestPostgres.class, TestClickHouse.class})
class VerifyClickHouseITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    @Test
    void reportsAndRepairsKeysMissingOrExtraInClickHouse() throws Exception {
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

            // Drift behind walflow's back: rows lost (7, tag-3) and stale rows of keys the source
            // never had (5000, tag-x), at versions below the source's WAL position.
            TestClickHouse.server().execute("DELETE FROM `" + db + "`.items WHERE id = 7");
            TestClickHouse.server().execute("DELETE FROM `" + db + "`.tags WHERE name = 'tag-3'");
            TestClickHouse.server().execute("INSERT INTO `" + db + "`.items (id, name, qty, _version, _deleted)"
                    + " VALUES (5000, 'ghost', 1, 1, 0)");
            TestClickHouse.server().execute("INSERT INTO `" + db + "`.tags (name, n, _version, _deleted) VALUES ('tag-x', 0, 1, 0)");
            VerifyReport drift = verify(p);
            assertThat(drift.errors).isEmpty();
            assertThat(drift.status()).isEqualTo(VerifyReport.Status.INCONSISTENT);
            assertThat(drift.mismatches()).isEqualTo(4);
            assertThat(drift.clickHouseMissing).isEqualTo(2);
            assertThat(drift.clickHouseExtra).isEqualTo(2);
            assertThat(drift.rows)
                    .extracting(r -> r.table, r -> r.kind, r -> r.key, r -> r.repaired)
                    .containsExactlyInAnyOrder(
                            tuple("public.items", "clickhouse_missing", List.of("7"), false),
                            tuple("public.items", "clickhouse_extra", List.of("5000"), false),
                            tuple("public.tags", "clickhouse_missing", List.of("tag-3"), false),
                            tuple("public.tags", "clickhouse_extra", List.of("tag-x"), false));

            VerifyReport repair = verify(p, "--repair");
            assertThat(repair.errors).isEmpty();
            assertThat(repair.status()).as("repair: %s", repair.rows).isEqualTo(VerifyReport.Status.REPAIRED);
            assertThat(repair.clickHouseRepaired).isEqualTo(4);
            assertThat(repair.rows).extracting(r -> r.repaired).containsExactly(true, true, true, true);
            assertThat(liveItem(db, 7)).containsExactly("7\titem 7\t7");
            assertThat(liveItem(db, 5000)).isEmpty();
            assertThat(TestClickHouse.rows("SELECT name, n FROM `" + db + "`.tags_live WHERE name IN ('tag-3', 'tag-x')"))
                    .containsExactly("tag-3\t3");
            VerifyReport after = verify(p);
            assertThat(after.status()).as("after repair: %s", after.rows).isEqualTo(VerifyReport.Status.CONSISTENT);

            // Later changes win over the repair's versions: an update of a repaired row, an
            // insert of a key the repair deleted.
            p.sourceSql("UPDATE items SET name = 'later' WHERE id = 7",
                    "INSERT INTO items VALUES (5000, 'real', 2)",
                    "UPDATE tags SET n = 33 WHERE name = 'tag-3'");
            Pipeline.await("ClickHouse to show the later changes", () ->
                    liveItem(db, 7).equals(List.of("7\tlater\t7"))
                            && liveItem(db, 5000).equals(List.of("5000\treal\t2"))
                            && TestClickHouse.rows("SELECT n FROM `" + db + "`.tags_live WHERE name = 'tag-3'").equals(List.of("33")));
        }
    }

    private static List<String> liveItem(String db, int id) {
        return TestClickHouse.rows("SELECT id, name, qty FROM `" + db + "`.items_live WHERE id = " + id);
    }

    private static VerifyReport verify(Pipeline p, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(p.args()));
        args.addAll(List.of(extra));
        args.addAll(List.of("--verify.range-rows", "1000", "--verify.lag-timeout", "60s", "--verify.parallelism", "2"));
        return VerifyJob.run(StreamExecutionEnvironment::getExecutionEnvironment, args.toArray(new String[0]));
    }
}
