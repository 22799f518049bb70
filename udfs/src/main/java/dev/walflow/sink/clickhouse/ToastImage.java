package dev.walflow.sink.clickhouse;

/**
 * The last values of a row's variable-length columns, the only ones PostgreSQL can leave out of
 * an UPDATE (unchanged TOAST). A Flink POJO.
 */
public final class ToastImage {

    public String[] columns;
    public String[] values;

    public ToastImage() {}

    ToastImage(String[] columns, String[] values) {
        this.columns = columns;
        this.values = values;
    }

    /** The value of {@code column}, or null when this image lacks it. */
    String valueOf(String column) {
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].equals(column)) {
                return values[i];
            }
        }
        return null;
    }

    boolean has(String column) {
        for (String c : columns) {
            if (c.equals(column)) {
                return true;
            }
        }
        return false;
    }
}
