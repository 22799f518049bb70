package dev.walflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LocalRunArgsTest {

    @Test
    void defaultsToTheEmbeddedDemo() {
        LocalRunArgs args = LocalRunArgs.parse();

        assertThat(args.demo()).isTrue();
        assertThat(args.help()).isFalse();
        assertThat(args.configFile()).isNull();
        assertThat(args.pgPort()).isEqualTo(15432);
        assertThat(args.uiPort()).isEqualTo(8081);
        assertThat(args.rate()).isEqualTo(200.0);
        assertThat(args.progressInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(args.jobArgs()).isEmpty();
    }

    @Test
    void readsItsOwnFlagsInBothForms() {
        LocalRunArgs args =
                LocalRunArgs.parse(
                        "--pg-port", "0", "--ui-port=9091", "--rate", "12.5",
                        "--progress-interval", "500ms");

        assertThat(args.pgPort()).isZero();
        assertThat(args.uiPort()).isEqualTo(9091);
        assertThat(args.rate()).isEqualTo(12.5);
        assertThat(args.progressInterval()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aBareProgressIntervalMeansSeconds() {
        assertThat(LocalRunArgs.parse("--progress-interval", "2").progressInterval())
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void passesOtherParametersThroughInOrder() {
        LocalRunArgs args =
                LocalRunArgs.parse(
                        "--sink.postgres.parallelism", "2", "--rate", "0",
                        "--checkpoint.interval=2s");

        assertThat(args.rate()).isZero();
        assertThat(args.jobArgs())
                .containsExactly(
                        "--sink.postgres.parallelism", "2", "--checkpoint.interval", "2s");
    }

    @Test
    void configSwitchesToRealDatabases() {
        LocalRunArgs args = LocalRunArgs.parse("--config", "conf/prod.properties", "--job.name", "x");

        assertThat(args.demo()).isFalse();
        assertThat(args.configFile()).isEqualTo("conf/prod.properties");
        assertThat(args.jobArgs()).containsExactly("--job.name", "x");
    }

    @Test
    void helpWinsAnywhere() {
        assertThat(LocalRunArgs.parse("--rate", "5", "--help").help()).isTrue();
        assertThat(LocalRunArgs.parse("-h").help()).isTrue();
    }

    @Test
    void rejectsDemoFlagsWithConfig() {
        assertThatThrownBy(() -> LocalRunArgs.parse("--config", "a.properties", "--rate", "5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--rate")
                .hasMessageContaining("a.properties");
    }

    @Test
    void rejectsMalformedValuesNamingTheFlag() {
        assertThatThrownBy(() -> LocalRunArgs.parse("--ui-port", "0"))
                .hasMessageContaining("--ui-port")
                .hasMessageContaining("'0'");
        assertThatThrownBy(() -> LocalRunArgs.parse("--pg-port", "70000"))
                .hasMessageContaining("--pg-port");
        assertThatThrownBy(() -> LocalRunArgs.parse("--rate", "-1"))
                .hasMessageContaining("--rate");
        assertThatThrownBy(() -> LocalRunArgs.parse("--rate", "fast"))
                .hasMessageContaining("'fast'");
        assertThatThrownBy(() -> LocalRunArgs.parse("--progress-interval", "10ms"))
                .hasMessageContaining("--progress-interval");
    }

    @Test
    void rejectsStrayWordsAndMissingValues() {
        assertThatThrownBy(() -> LocalRunArgs.parse("demo"))
                .hasMessageContaining("'demo'");
        assertThatThrownBy(() -> LocalRunArgs.parse("--rate"))
                .hasMessageContaining("--rate has no value");
    }

    @Test
    void usageNamesEveryFlag() {
        assertThat(LocalRunArgs.usage())
                .contains("--config", "--pg-port", "--rate", "--ui-port", "--progress-interval",
                        "--help");
    }
}
