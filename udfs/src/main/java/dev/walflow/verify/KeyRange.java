package dev.walflow.verify;

import java.util.Arrays;

/**
 * A slice of one table's primary-key space: keys at or above {@link #lower} and below {@link
 * #upper} (null: unbounded), as PostgreSQL text values in key-column order. A Flink POJO.
 */
public final class KeyRange {

    /** The table as {@code schema.table}, unquoted. */
    public String table;

    public String[] lower;

    public String[] upper;

    public KeyRange() {}

    public KeyRange(String table, String[] lower, String[] upper) {
        this.table = table;
        this.lower = lower;
        this.upper = upper;
    }

    @Override
    public String toString() {
        return table + " [" + (lower == null ? "-inf" : Arrays.toString(lower)) + ", "
                + (upper == null ? "+inf" : Arrays.toString(upper)) + ")";
    }
}
