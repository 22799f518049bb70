package dev.walflow.job.config;

import dev.walflow.sink.DeliveryGuarantee;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobConfigTest {

    private static List<String> required() {
        return new ArrayList<>(List.of(
                "--source.url", "jdbc:postgresql://127.0.0.1:5432/app",
                "--source.username", "repl",
                "--source.tables", "public.orders, \"Sales\".\"Order, Items\"",
                "--sink.postgres.url", "jdbc:postgresql://127.0.0.1:5433/copy",
                "--sink.postgres.username", "writer"));
    }

    private static JobConfig parse(List<String> args) {
        return JobConfig.parse(args.toArray(new String[0]), Map.of());
    }

    @Test
    void parsesTypedValuesAndDefaults() {
        List<String> args = required();
        args.addAll(List.of("--sink.delivery-guarantee", "at-least-once", "--checkpoint.interval", "30s"));
        JobConfig config = parse(args);
        assertThat(config.get(SinkOptions.DELIVERY_GUARANTEE)).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(config.get(JobOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.get(SourceOptions.SLOT_NAME)).isEqualTo("walflow");
        assertThat(config.names(SourceOptions.TABLES)).containsExactly("public.orders", "\"Sales\".\"Order, Items\"");
    }

    @Test
    void unknownKeyIsNamedWithASuggestion() {
        List<String> args = required();
        args.addAll(List.of("--sink.postgres.batch.max-row", "10"));
        assertThatThrownBy(() -> parse(args))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("Unknown parameter 'sink.postgres.batch.max-row'")
                .hasMessageContaining("did you mean 'sink.postgres.batch.max-rows'");
    }

    @Test
    void malformedValueNamesKeyValueAndExpectation() {
        List<String> args = required();
        args.addAll(List.of("--checkpoint.interval", "soon"));
        assertThatThrownBy(() -> parse(args))
                .hasMessageContaining("'soon'")
                .hasMessageContaining("checkpoint.interval")
                .hasMessageContaining("duration");
    }

    @Test
    void badEnumListsTheAllowedValues() {
        List<String> args = required();
        args.addAll(List.of("--sink.delivery-guarantee", "maybe"));
        assertThatThrownBy(() -> parse(args))
                .hasMessageContaining("sink.delivery-guarantee")
                .hasMessageContaining("exactly-once, at-least-once");
    }

    @Test
    void missingRequiredParameterIsNamed() {
        assertThatThrownBy(() -> parse(List.of("--source.url", "jdbc:postgresql://h/db")))
                .hasMessageContaining("Missing required parameter 'source.username'")
                .hasMessageContaining(OptionsDoc.description(SourceOptions.USERNAME))
                .hasMessageNotContaining("TextElement");
    }

    @Test
    void urlMustBePostgresJdbc() {
        List<String> args = required();
        args.set(1, "postgres://h/db");
        assertThatThrownBy(() -> parse(args))
                .hasMessageContaining("source.url")
                .hasMessageContaining("jdbc:postgresql://");
    }

    @Test
    void tablesOrSchemasAreRequired() {
        List<String> args = required();
        args.subList(4, 6).clear();
        assertThatThrownBy(() -> parse(args)).hasMessageContaining("source.tables");
    }

    @Test
    void nonPositiveBatchSizeIsRefused() {
        List<String> args = required();
        args.addAll(List.of("--sink.postgres.batch.max-rows", "0"));
        assertThatThrownBy(() -> parse(args))
                .hasMessageContaining("sink.postgres.batch.max-rows")
                .hasMessageContaining("positive");
    }

    @Test
    void configFileIsReadAndCommandLineWins(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("walflow.properties");
        Files.writeString(file, "source.slot-name=from_file\nsink.postgres.batch.max-rows=7\n");
        List<String> args = required();
        args.addAll(List.of("--config", file.toString(), "--source.slot-name", "from_args"));
        JobConfig config = parse(args);
        assertThat(config.get(SourceOptions.SLOT_NAME)).isEqualTo("from_args");
        assertThat(config.get(SinkOptions.POSTGRES_BATCH_MAX_ROWS)).isEqualTo(7);
    }

    @Test
    void missingConfigFileIsNamed() {
        List<String> args = required();
        args.addAll(List.of("--config", "/nonexistent/walflow.properties"));
        assertThatThrownBy(() -> parse(args)).hasMessageContaining("/nonexistent/walflow.properties");
    }

    @Test
    void passwordsComeFromTheEnvironmentAndAreMasked() {
        JobConfig config = JobConfig.parse(required().toArray(new String[0]),
                Map.of("WALFLOW_SOURCE_PASSWORD", "hunter2", "WALFLOW_SINK_POSTGRES_PASSWORD", "pw2"));
        assertThat(config.get(SourceOptions.PASSWORD)).isEqualTo("hunter2");
        assertThat(config.describe()).doesNotContain("hunter2").doesNotContain("pw2").contains("source.password=******");
    }
}
