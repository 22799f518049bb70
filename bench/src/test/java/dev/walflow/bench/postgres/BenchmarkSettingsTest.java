package dev.walflow.bench.postgres;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchmarkSettingsTest {

    @Test
    void defaultsAreTheFullSizes() {
        BenchmarkSettings s = BenchmarkSettings.parse();
        assertThat(s.snapshotRows()).containsExactly(1_000_000L, 10_000_000L);
        assertThat(s.streamEvents()).isEqualTo(1_000_000);
        assertThat(s.modes()).containsExactly("exactly-once", "at-least-once");
    }

    @Test
    void quickWithOverrides() {
        BenchmarkSettings s = BenchmarkSettings.parse("--quick", "--snapshot-rows", "none", "--modes", "at-least-once",
                "--workloads", "bulk,toast", "--job-arg", "--sink.postgres.batch.max-rows=10000");
        assertThat(s.snapshotRows()).isEmpty();
        assertThat(s.streamEvents()).isEqualTo(BenchmarkSettings.quick().streamEvents());
        assertThat(s.modes()).containsExactly("at-least-once");
        assertThat(s.workloads()).containsExactly("bulk", "toast");
        assertThat(s.jobArgs()).isEqualTo(List.of("--sink.postgres.batch.max-rows", "10000"));
    }

    @Test
    void badInputNamesTheArgument() {
        assertThatThrownBy(() -> BenchmarkSettings.parse("--stream-events", "many"))
                .hasMessageContaining("--stream-events").hasMessageContaining("'many'");
        assertThatThrownBy(() -> BenchmarkSettings.parse("--workloads", "bulk,tpcc"))
                .hasMessageContaining("'tpcc'").hasMessageContaining("--workloads");
        assertThatThrownBy(() -> BenchmarkSettings.parse("--rows", "1")).hasMessageContaining("Unknown argument --rows");
    }
}
