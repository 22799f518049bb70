package dev.walflow.sink.clickhouse;

import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import dev.walflow.sink.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClickHouseDdlTest {

    private static final TableInfo ORDERS = new TableInfo(
            new TableId("sales", "orders"),
            List.of(
                    new ColumnInfo("id", "bigint", "pg_catalog.int8", "int8", true, true, false),
                    new ColumnInfo("note", "text", "pg_catalog.text", "text", false, true, true)),
            List.of("id"),
            TableInfo.ReplicaIdentity.DEFAULT);

    private static ClickHouseConfig config(String cluster) {
        return new ClickHouseConfig("jdbc:clickhouse:http://127.0.0.1:8123", "default", "", "analytics", cluster,
                1000, 1 << 20, Duration.ofSeconds(1), 3, 500, DeliveryGuarantee.EXACTLY_ONCE, "job", 0);
    }

    @Test
    void singleServer() {
        assertThat(ClickHouseDdl.create(config(null), ORDERS)).containsExactly(
                "CREATE TABLE IF NOT EXISTS `analytics`.`sales__orders` (`id` Int64, `note` Nullable(String),"
                        + " `_version` UInt64, `_deleted` UInt8) ENGINE = ReplacingMergeTree(_version, _deleted)"
                        + " ORDER BY (`id`) SETTINGS non_replicated_deduplication_window = 500",
                "CREATE VIEW IF NOT EXISTS `analytics`.`sales__orders_live` AS SELECT * EXCEPT (`_version`, `_deleted`)"
                        + " FROM `analytics`.`sales__orders` FINAL WHERE `_deleted` = 0");
        assertThat(ClickHouseDdl.truncate(config(null), ORDERS.id(), 42))
                .isEqualTo("DELETE FROM `analytics`.`sales__orders` WHERE `_version` < 42");
    }

    @Test
    void clusterUsesReplicatedTablesBehindADistributedOne() {
        List<String> ddl = ClickHouseDdl.create(config("main"), ORDERS);
        assertThat(ddl).hasSize(3);
        assertThat(ddl.get(0)).startsWith("CREATE TABLE IF NOT EXISTS `analytics`.`sales__orders_local` ON CLUSTER `main`")
                .contains("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/sales__orders_local',"
                        + " '{replica}', _version, _deleted)")
                .endsWith("SETTINGS replicated_deduplication_window = 500");
        assertThat(ddl.get(1)).isEqualTo("CREATE TABLE IF NOT EXISTS `analytics`.`sales__orders` ON CLUSTER `main`"
                + " AS `analytics`.`sales__orders_local` ENGINE = Distributed(`main`, `analytics`, `sales__orders_local`,"
                + " cityHash64(`id`))");
        assertThat(ClickHouseDdl.addColumn(config("main"), ORDERS.id(), ORDERS.column("note"), false, "id")).containsExactly(
                "ALTER TABLE `analytics`.`sales__orders_local` ON CLUSTER `main` ADD COLUMN IF NOT EXISTS `note` Nullable(String) AFTER `id`",
                "ALTER TABLE `analytics`.`sales__orders` ON CLUSTER `main` ADD COLUMN IF NOT EXISTS `note` Nullable(String) AFTER `id`",
                "CREATE OR REPLACE VIEW `analytics`.`sales__orders_live` ON CLUSTER `main` AS SELECT * EXCEPT (`_version`, `_deleted`)"
                        + " FROM `analytics`.`sales__orders` FINAL WHERE `_deleted` = 0");
        assertThat(ClickHouseDdl.truncate(config("main"), ORDERS.id(), 7))
                .isEqualTo("DELETE FROM `analytics`.`sales__orders_local` ON CLUSTER `main` WHERE `_version` < 7");
    }

    @Test
    void publicTablesKeepTheirName() {
        assertThat(ClickHouseDdl.tableName(new TableId("public", "orders"))).isEqualTo("orders");
    }
}
