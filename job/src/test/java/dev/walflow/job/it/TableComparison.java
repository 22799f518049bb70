package dev.walflow.job.it;

import dev.walflow.testkit.SqlRunner;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reads a table's rows as text so two databases can be compared row for row. */
final class TableComparison {

    private TableComparison() {}

    /**
     * Every row as a list of column texts, sorted; duplicates kept. {@code timetz} is compared
     * as the instant it denotes (the offset is normalised to UTC by the CDC decoder).
     */
    static List<String> rows(Connection c, String table) {
        List<List<String>> columns =
                SqlRunner.rows(
                        c,
                        "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                                + " WHERE a.attrelid = '" + table.replace("'", "''") + "'::regclass"
                                + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
        if (columns.isEmpty()) {
            throw new IllegalStateException("No table " + table);
        }
        StringBuilder select = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            String name = "\"" + columns.get(i).get(0).replace("\"", "\"\"") + "\"";
            String type = columns.get(i).get(1);
            select.append(i > 0 ? ", " : "");
            if (type.equals("timetz")) {
                select.append("(").append(name).append(" AT TIME ZONE 'UTC')::text");
            } else {
                select.append(name).append("::text");
            }
        }
        select.append(" FROM ").append(table);
        SqlRunner.execute(c, "SET TimeZone = 'UTC'");
        List<String> rows = new ArrayList<>();
        for (List<String> row : SqlRunner.rows(c, select.toString())) {
            rows.add(String.join(" | ", row.stream().map(v -> v == null ? "<NULL>" : v).toList()));
        }
        rows.sort(Comparator.naturalOrder());
        return rows;
    }

    /** Rows only in the source ("missing") or only in the target ("extra"), shortened. */
    static List<String> diff(List<String> expected, List<String> actual) {
        java.util.Map<String, Integer> counts = new java.util.HashMap<>();
        expected.forEach(r -> counts.merge(r, 1, Integer::sum));
        actual.forEach(r -> counts.merge(r, -1, Integer::sum));
        List<String> out = new ArrayList<>();
        counts.forEach((row, n) -> {
            String shown = row.length() > 160 ? row.substring(0, 160) + "..." : row;
            for (int i = 0; i < Math.abs(n); i++) {
                out.add((n > 0 ? "missing in target: " : "extra in target: ") + shown);
            }
        });
        out.sort(Comparator.naturalOrder());
        return out;
    }
}
