package dev.walflow.job;

import dev.walflow.job.config.JobConfig;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import io.debezium.function.Predicates;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void debeziumHandsOverChangesAfterThePollIntervalNotItsDefault() {
        List<String> args = List.of(
                "--source.url", "jdbc:postgresql://127.0.0.1:5432/app", "--source.username", "repl",
                "--source.tables", "public.orders", "--sink.postgres.url", "jdbc:postgresql://127.0.0.1:5433/copy",
                "--sink.postgres.username", "writer");
        JobConfig defaults = JobConfig.parse(args.toArray(new String[0]), Map.of());
        assertThat(SourceFactory.debeziumProperties(defaults).getProperty("poll.interval.ms")).isEqualTo("20");

        List<String> tuned = new ArrayList<>(args);
        tuned.addAll(List.of("--source.poll-interval", "5ms"));
        JobConfig config = JobConfig.parse(tuned.toArray(new String[0]), Map.of());
        assertThat(SourceFactory.debeziumProperties(config).getProperty("poll.interval.ms")).isEqualTo("5");

        tuned.set(tuned.size() - 1, "0ms");
        assertThatThrownBy(() -> JobConfig.parse(tuned.toArray(new String[0]), Map.of()))
                .hasMessageContaining("source.poll-interval");
    }

    private static TableInfo table(String schema, String name) {
        return new TableInfo(new TableId(schema, name), List.of(), List.of(), TableInfo.ReplicaIdentity.DEFAULT);
    }
}
