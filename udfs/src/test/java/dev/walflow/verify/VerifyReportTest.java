package dev.walflow.verify;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VerifyReportTest {

    private static RangeResult range(String table, long missing, long repaired) {
        RangeResult r = new RangeResult(table, table + " [-inf, +inf)");
        for (int i = 0; i < missing; i++) {
            r.add(new RowDiff(List.of(String.valueOf(i)), "(" + i + ")", null), i < repaired, 10);
        }
        r.recordsScanned = 100;
        return RangeResult.fromJson(r.toJson());
    }

    @Test
    void statusFollowsWhatWasFoundAndFixed() {
        VerifyReport clean = new VerifyReport(1, "walflow", "verify", "t", "now", 10);
        clean.add(range("public.a", 0, 0));
        assertThat(clean.status()).isEqualTo(VerifyReport.Status.CONSISTENT);
        assertThat(clean.status().exitCode()).isZero();

        VerifyReport drift = new VerifyReport(2, "walflow", "verify", "t", "now", 10);
        drift.add(range("public.a", 2, 0));
        assertThat(drift.status()).isEqualTo(VerifyReport.Status.INCONSISTENT);
        assertThat(drift.status().exitCode()).isEqualTo(1);
        assertThat(drift.rows).extracting(r -> r.kind).containsOnly("missing");

        VerifyReport repaired = new VerifyReport(3, "walflow", "repair", "t", "now", 10);
        repaired.add(range("public.a", 2, 2));
        assertThat(repaired.status()).isEqualTo(VerifyReport.Status.REPAIRED);

        RangeResult lag = range("public.b", 0, 0);
        lag.lagging = 1;
        VerifyReport lagging = new VerifyReport(4, "walflow", "verify", "t", "now", 10);
        lagging.add(lag);
        assertThat(lagging.status()).isEqualTo(VerifyReport.Status.LAGGING);
        assertThat(lagging.status().exitCode()).isEqualTo(2);

        lagging.errors.add("boom");
        assertThat(lagging.status()).isEqualTo(VerifyReport.Status.FAILED);
    }

    @Test
    void jsonKeepsCountsRowsAndStatus() {
        VerifyReport report = new VerifyReport(7, "walflow", "verify", "t", "now", 1);
        report.add(range("public.a", 3, 0));
        String json = report.toJson();
        assertThat(json).contains("\"status\" : \"inconsistent\"");
        VerifyReport read = VerifyReport.fromJson(json);
        assertThat(read.missing).isEqualTo(3);
        assertThat(read.rows).hasSize(1);
        assertThat(read.tables.get("public.a").recordsScanned).isEqualTo(100);
        assertThat(report.summary()).contains("INCONSISTENT", "3 missing", "missing public.a key [0]");
    }
}
