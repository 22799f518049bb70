package dev.walflow.verify;

import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TableSqlTest {

    private static final TableInfo LINES = new TableInfo(
            new TableId("Sales", "Lines"),
            List.of(
                    new ColumnInfo("order_id", "integer", "pg_catalog.int4", "int4", true, true, false),
                    new ColumnInfo("line no", "integer", "pg_catalog.int4", "int4", true, true, false),
                    new ColumnInfo("doc", "json", "pg_catalog.json", "json", false, false, true),
                    new ColumnInfo("at", "time with time zone", "pg_catalog.timetz", "timetz", false, true, false)),
            List.of("order_id", "line no"),
            TableInfo.ReplicaIdentity.DEFAULT);

    @Test
    void compositeRangesCompareRowValuesWithBoundsCastToTheKeyTypes() {
        TableSql sql = new TableSql(LINES);
        KeyRange range = new KeyRange("Sales.Lines", new String[] {"1", "2"}, new String[] {"5", "1"});
        assertThat(sql.where(range)).isEqualTo(
                " WHERE (\"order_id\", \"line no\") >= (?::pg_catalog.int4, ?::pg_catalog.int4)"
                        + " AND (\"order_id\", \"line no\") < (?::pg_catalog.int4, ?::pg_catalog.int4)");
        assertThat(sql.where(new KeyRange("Sales.Lines", null, new String[] {"5", "1"})))
                .isEqualTo(" WHERE (\"order_id\", \"line no\") < (?::pg_catalog.int4, ?::pg_catalog.int4)");
        assertThat(sql.where(new KeyRange("Sales.Lines", null, null))).isEmpty();
    }

    @Test
    void splitKeysAreOrderedByRowNumberNotByTheirText() {
        // An ORDER BY "order_id" would sort the text outputs named order_id: 10 before 9.
        assertThat(new TableSql(LINES).splitKeys(new KeyRange("Sales.Lines", null, null), 1000))
                .endsWith("WHERE walflow_rn % 1000 = 0 ORDER BY walflow_rn");
    }

    @Test
    void checksumsHashTextOrValuesWithTimetzAsItsInstantAndJsonAsText() {
        KeyRange all = new KeyRange("Sales.Lines", null, null);
        assertThat(new TableSql(LINES).checksum(all)).isEqualTo(
                "SELECT count(*), coalesce(sum(hashtextextended(ROW(\"order_id\", \"line no\", \"doc\","
                        + " (\"at\" AT TIME ZONE 'UTC'))::text, 0)), 0)::text FROM \"Sales\".\"Lines\"");
        assertThat(new TableSql(LINES, true).checksum(all)).isEqualTo(
                "SELECT count(*), coalesce(sum(hash_record_extended(ROW(\"order_id\", \"line no\", \"doc\"::text,"
                        + " (\"at\" AT TIME ZONE 'UTC')), 0)), 0)::text FROM \"Sales\".\"Lines\"");
    }

    @Test
    void historyImageMatchesChangeHistoryData() {
        assertThat(new TableSql(LINES).historyImage()).isEqualTo(
                "jsonb_build_object('order_id', \"order_id\"::text, 'line no', \"line no\"::text, 'doc', \"doc\"::text,"
                        + " 'at', (\"at\" AT TIME ZONE 'UTC')::text)");
    }
}
