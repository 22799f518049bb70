package dev.walflow.bench.postgres;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CpuMeterTest {

    @Test
    void serverProcessesAreToldApartByTheirTitle() {
        assertThat(CpuMeter.role("postgres: walsender postgres 127.0.0.1(44654) START_REPLICATION", "src", "dst"))
                .isEqualTo("walsender");
        assertThat(CpuMeter.role("postgres: postgres src 127.0.0.1(44678) COPY", "src", "dst")).isEqualTo("source");
        assertThat(CpuMeter.role("postgres: postgres dst 127.0.0.1(44680) idle in transaction", "src", "dst"))
                .isEqualTo("target");
        assertThat(CpuMeter.role("postgres: postgres dst_other 127.0.0.1(44681) idle", "src", "dst")).isEqualTo("other");
        assertThat(CpuMeter.role("postgres: checkpointer ", "src", "dst")).isEqualTo("other");
        assertThat(CpuMeter.role("postgres: autovacuum worker dst", "src", "dst")).isEqualTo("other");
    }

    @Test
    void spentTimeIsTheDifferenceAndANewProcessCountsWhole() {
        CpuMeter.Reading start = new CpuMeter.Reading(1_000_000_000L, 10, 2, Map.of(
                10L, new CpuMeter.ServerProcess("walsender", 500),
                11L, new CpuMeter.ServerProcess("target", 40),
                12L, new CpuMeter.ServerProcess("other", 7)));
        CpuMeter.Reading end = new CpuMeter.Reading(3_500_000_000L, 40, 7, Map.of(
                10L, new CpuMeter.ServerProcess("walsender", 620),
                11L, new CpuMeter.ServerProcess("target", 90),
                13L, new CpuMeter.ServerProcess("target", 30)));

        CpuMeter.Cpu cpu = CpuMeter.between(start, end);

        assertThat(cpu.job()).isEqualTo(2.5);
        assertThat(cpu.jit()).isEqualTo(0.3);
        assertThat(cpu.gc()).isEqualTo(0.05);
        assertThat(cpu.walsender()).isEqualTo(1.2);
        assertThat(cpu.target()).isEqualTo(0.8);
        assertThat(cpu.source()).isZero();
        assertThat(cpu.otherServer()).isZero();
        assertThat(cpu.total()).isEqualTo(4.5);
    }
}
