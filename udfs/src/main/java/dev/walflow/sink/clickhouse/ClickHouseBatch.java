package dev.walflow.sink.clickhouse;

/**
 * One INSERT into a ClickHouse table, rendered and waiting for its checkpoint to complete; or,
 * with {@link #truncateBelow} set, the removal of every version older than a TRUNCATE. The
 * token makes a retried INSERT count once ({@code insert_deduplication_token}).
 */
public final class ClickHouseBatch {

    /** Source table, {@code schema.table}. */
    final String table;
    /** Source columns of each row, in order; each row also ends with _version and _deleted. */
    final String[] columns;
    /** The VALUES list: {@code (..),(..)}. */
    final String values;
    final int rows;
    final String token;
    /** For a TRUNCATE: the version below which rows are removed; -1 otherwise. */
    final long truncateBelow;

    ClickHouseBatch(String table, String[] columns, String values, int rows, String token, long truncateBelow) {
        this.table = table;
        this.columns = columns;
        this.values = values;
        this.rows = rows;
        this.token = token;
        this.truncateBelow = truncateBelow;
    }

    static ClickHouseBatch truncate(String table, long version, String token) {
        return new ClickHouseBatch(table, new String[0], "", 0, token, version);
    }

    boolean isTruncate() {
        return truncateBelow >= 0;
    }

    @Override
    public String toString() {
        return isTruncate()
                ? "TRUNCATE " + table + " below version " + truncateBelow
                : rows + " rows of " + table + " (token " + token + ")";
    }
}
