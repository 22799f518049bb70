package dev.walflow.verify;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The figures a verify run counts, for one key range ({@link RangeResult}) and summed over the
 * run ({@link VerifyReport}); public fields, as they travel and are reported as JSON.
 */
public class VerifyCounts {

    public long recordsScanned;
    public long missing;
    public long extra;
    public long different;
    /** Rows that differed at first and matched once the target had caught up. */
    public long lagResolved;
    /** Rows still different when the target did not catch up within verify.lag-timeout. */
    public long lagging;
    /** Rows that changed at the source on every re-check, so no stable answer was had. */
    public long unsettled;
    public long repaired;
    public long missingHistory;
    public long staleHistory;
    public long syntheticChanges;
    /** Keys the source has and the ClickHouse copy lacks. */
    public long clickHouseMissing;
    /** Keys the ClickHouse copy has and the source lacks. */
    public long clickHouseExtra;
    /** ClickHouse keys missing or extra that --repair mended. */
    public long clickHouseRepaired;

    void addCounts(VerifyCounts o) {
        recordsScanned += o.recordsScanned;
        missing += o.missing;
        extra += o.extra;
        different += o.different;
        lagResolved += o.lagResolved;
        lagging += o.lagging;
        unsettled += o.unsettled;
        repaired += o.repaired;
        missingHistory += o.missingHistory;
        staleHistory += o.staleHistory;
        syntheticChanges += o.syntheticChanges;
        clickHouseMissing += o.clickHouseMissing;
        clickHouseExtra += o.clickHouseExtra;
        clickHouseRepaired += o.clickHouseRepaired;
    }

    /** Rows that differ, in the PostgreSQL target and in ClickHouse's keys. */
    @JsonIgnore
    public long mismatches() {
        return missing + extra + different + clickHouseMissing + clickHouseExtra;
    }

    /** Keys whose change_history is missing or does not match the row. */
    @JsonIgnore
    public long historyMismatches() {
        return missingHistory + staleHistory;
    }

    /** Rows without a stable answer: the target did not catch up, or the source kept changing. */
    @JsonIgnore
    public long laggingRows() {
        return lagging + unsettled;
    }

    /** Rows mended by --repair, in the PostgreSQL target and in ClickHouse. */
    @JsonIgnore
    public long rowsRepaired() {
        return repaired + clickHouseRepaired;
    }
}
