package dev.walflow.verify;

import java.util.List;

/**
 * One row that differs between the source and a target, with both canonical texts (null where
 * the row is absent).
 */
public final class RowDiff {

    /** How a target row differs from the source's. */
    public enum Kind {
        /** In the source, not in the target. */
        MISSING,
        /** In the target, not in the source. */
        EXTRA,
        /** In both, with different values. */
        DIFFERENT
    }

    public final List<String> key;
    public final String sourceRow;
    public final String targetRow;

    public RowDiff(List<String> key, String sourceRow, String targetRow) {
        this.key = key;
        this.sourceRow = sourceRow;
        this.targetRow = targetRow;
    }

    public Kind kind() {
        return sourceRow == null ? Kind.EXTRA : targetRow == null ? Kind.MISSING : Kind.DIFFERENT;
    }

    public boolean differs() {
        return sourceRow == null ? targetRow != null : !sourceRow.equals(targetRow);
    }

    @Override
    public String toString() {
        return kind() + " " + key;
    }
}
