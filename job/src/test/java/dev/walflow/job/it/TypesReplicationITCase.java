package dev.walflow.job.it;

import dev.walflow.testkit.TypesTestData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

/** Every promised column type survives snapshot and streaming into a same-DDL target. */
@ExtendWith(TestPostgres.class)
class TypesReplicationITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    /**
     * Run twice: with the default bulk threshold (these few rows go as bound rows) and with a
     * threshold of one row, so every whole-row upsert goes through the one-statement
     * {@code unnest} path and must give the same values.
     */
    @ParameterizedTest(name = "bulk-upsert.min-rows={0}")
    @ValueSource(strings = {"500", "1"})
    void snapshotAndStreamingRoundTripEveryType(String bulkMinRows) throws Exception {
        String source = TestPostgres.newDatabase("types_src_" + bulkMinRows);
        String target = TestPostgres.newDatabase("types_dst_" + bulkMinRows);
        try (Pipeline p = new Pipeline(source, target, "types_slot_" + bulkMinRows)) {
            p.sourceSql(TypesTestData.DDL);
            // The target has the same DDL, created by hand: an existing table is used as is.
            try (var t = p.target()) {
                dev.walflow.testkit.SqlRunner.execute(t, TypesTestData.DDL);
            }
            for (String row : TypesTestData.rows(1)) {
                p.sourceSql("INSERT INTO all_types VALUES (" + row + ")");
            }
            p.param("source.tables", TypesTestData.TABLE)
                    .param("sink.postgres.bulk-upsert.min-rows", bulkMinRows)
                    .start();
            p.awaitTargetEqualsSource(TypesTestData.TABLE);

            List<String> streamed = new ArrayList<>(TypesTestData.rows(11));
            streamed.addAll(TypesTestData.streamingOnlyRows(21));
            for (String row : streamed) {
                p.sourceSql("INSERT INTO all_types VALUES (" + row + ")");
            }
            p.sourceSql(
                    "UPDATE all_types SET c_text = c_text || ' updated', c_int_arr = '{7,NULL}', c_interval = '3 days' WHERE id IN (1, 12)",
                    "UPDATE all_types SET c_numeric = 'NaN', c_date = '-infinity', c_money = 123456789.12 WHERE id = 2",
                    "DELETE FROM all_types WHERE id = 3");
            p.awaitTargetEqualsSource(TypesTestData.TABLE);
        }
    }
}
