package dev.walflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void formatsRateTotalsRowsLagAndWorkload() {
        ProgressReporter.Sample before =
                new ProgressReporter.Sample(0, "RUNNING", 1_000L, 900L, 0L, 1_200L);
        ProgressReporter.Sample now =
                new ProgressReporter.Sample(5 * SECOND, "RUNNING", 6_000L, 5_800L, 4_096L, 6_500L);

        assertThat(ProgressReporter.format(before, now, Duration.ofSeconds(65), true))
                .isEqualTo(
                        "[  1:05] RUNNING     sink 1,000 ev/s, 6,000 total | target rows 5,800"
                                + " | lag 4,096 B | workload 6,500 changes");
    }

    @Test
    void showsUnknownFiguresAsQuestionMarksAndLeavesOutWhatDoesNotApply() {
        ProgressReporter.Sample first =
                new ProgressReporter.Sample(0, null, null, null, null, null);

        assertThat(ProgressReporter.format(null, first, Duration.ZERO, false))
                .isEqualTo("[  0:00] ?           sink ? ev/s, ? total | lag ? B");
    }

    @Test
    void countsTheRowsOfEveryTable() {
        assertThat(ProgressReporter.countSql(List.of("public.a", "public.b")))
                .isEqualTo(
                        "SELECT 0 + (SELECT count(*) FROM public.a)"
                                + " + (SELECT count(*) FROM public.b)");
    }

    @Test
    void summarizesAStackTraceByItsFirstLineAndDeepestCause() {
        String trace =
                "org.apache.flink.runtime.JobException: Recovery is suppressed\n"
                        + "\tat x.y(Z.java:1)\n"
                        + "Caused by: java.io.IOException: outer\n"
                        + "\tat a.b(C.java:2)\n"
                        + "Caused by: org.postgresql.util.PSQLException: connection refused\n";

        assertThat(FlinkRestClient.summarize(trace))
                .isEqualTo(
                        "org.apache.flink.runtime.JobException: Recovery is suppressed ... caused by"
                                + " org.postgresql.util.PSQLException: connection refused");
        assertThat(FlinkRestClient.summarize("java.lang.IllegalStateException: boom"))
                .isEqualTo("java.lang.IllegalStateException: boom");
    }
}
