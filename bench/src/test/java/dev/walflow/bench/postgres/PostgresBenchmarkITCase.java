package dev.walflow.bench.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A small run of the PostgreSQL benchmark, so the runner cannot rot: every workload streams
 * through the job and through each stage alone, every limit is measured, the table and the
 * chart are written. No figure is judged.
 */
class PostgresBenchmarkITCase {

    @Test
    void smallRunMeasuresEveryWorkloadAndLimit(@TempDir Path out) throws Exception {
        BenchmarkSettings settings = new BenchmarkSettings(List.of(2_000L), 1_000, 1, 500, 50, 1,
                List.of("exactly-once"), List.of("bulk", "mix", "pgbench", "toast"), List.of("capture", "connector"),
                out, List.of());
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        List<Result> results;
        try (PrintStream print = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            results = PostgresBenchmark.run(settings, print);
        }
        List<String> workloads = List.of("bulk inserts", "update-heavy mix", "pgbench TPC-B", "wide rows, TOAST");
        List<String> expected = new ArrayList<>(List.of("snapshot 2,000 rows", "snapshot 2,000 rows", "snapshot 2,000 rows"));
        for (int pass = 0; pass < 3; pass++) {
            expected.addAll(workloads);
        }
        assertThat(results).extracting(Result::what).containsExactlyElementsOf(expected);
        assertThat(results.subList(0, 3)).extracting(Result::mode).containsExactly("exactly-once", "capture only", "connector only");
        for (Result r : results.subList(0, 3)) {
            assertThat(r.limitName()).isEqualTo("COPY");
            assertThat(r.count()).isEqualTo(2_000);
        }
        for (Result r : results.subList(3, results.size())) {
            assertThat(r.limitName()).isEqualTo("pg_recvlogical");
            assertThat(r.count()).as(r.what()).isGreaterThanOrEqualTo(100);
            assertThat(r.memory().heapUsed()).as(r.what()).isPositive();
        }
        for (Result r : results) {
            CpuMeter.Cpu cpu = r.cpu();
            assertThat(List.of(cpu.job(), cpu.jit(), cpu.gc(), cpu.walsender(), cpu.source(), cpu.target(), cpu.otherServer()))
                    .as(r.what()).allSatisfy(seconds -> assertThat(seconds).isNotNegative());
        }
        // CPU times come in clock ticks (10 ms), which one smoke-size measurement may not reach;
        // over the run, the job, the target's backends and the walsender have all worked.
        assertThat(results.stream().mapToDouble(r -> r.cpu().job()).sum()).as("the job's CPU").isPositive();
        assertThat(results.stream().mapToDouble(r -> r.cpu().target()).sum()).as("target backends' CPU").isPositive();
        assertThat(results.stream().mapToDouble(r -> r.cpu().walsender()).sum()).as("walsenders' CPU").isPositive();
        for (Result r : results.subList(3, 7)) {
            assertThat(r.mode()).isEqualTo("exactly-once");
            assertThat(r.p99()).as(r.what()).isGreaterThanOrEqualTo(r.p50());
        }
        assertThat(results.subList(7, 11)).extracting(Result::mode).containsOnly("capture only");
        assertThat(results.subList(11, 15)).extracting(Result::mode).containsOnly("connector only");
        assertThat(buffer.toString(StandardCharsets.UTF_8)).contains(Result.HEADER).contains(Result.CPU_HEADER);
        assertThat(Files.readString(out.resolve("results.md"))).contains(Result.HEADER).contains(Result.CPU_HEADER)
                .contains("Machine:");
        assertThat(Files.size(out.resolve("postgres-benchmark.png"))).isPositive();
    }
}
