package dev.walflow.job;

import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import io.debezium.function.Predicates;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

class SourceFactoryTest {

    @Test
    void oneTableFilterPerSchemaMatchesExactlyTheCapturedTables() {
        List<TableInfo> tables = List.of(
                table("public", "orders"), table("public", "order_items"), table("sales", "a.b"), table("public", "x,y"));

        String[] filters = SourceFactory.tableFilters(tables);

        assertThat(filters).hasSize(2);
        // Flink CDC joins the list with commas into Debezium's table.include.list, which Debezium
        // splits (escaped commas kept) and matches against schema.table.
        Predicate<String> included = Predicates.includes(String.join(",", filters));
        assertThat(List.of("public.orders", "public.order_items", "sales.a.b", "public.x,y")).allMatch(included);
        assertThat(List.of("public.order", "public.orders2", "public.xorders", "sales.aXb", "public.x", "y",
                "other.orders", "public.a.b")).noneMatch(included);
    }

    private static TableInfo table(String schema, String name) {
        return new TableInfo(new TableId(schema, name), List.of(), List.of(), TableInfo.ReplicaIdentity.DEFAULT);
    }
}
