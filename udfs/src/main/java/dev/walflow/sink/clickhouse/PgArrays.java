package dev.walflow.sink.clickhouse;

import java.util.ArrayList;
import java.util.List;

/** Reads PostgreSQL's text form of a one-dimensional array: {@code {1,NULL,"a \"b\""}}. */
final class PgArrays {

    private PgArrays() {}

    /** The elements, null for NULL; fails on arrays with several dimensions or explicit bounds. */
    static List<String> parse(String text) {
        if (text.length() < 2 || text.charAt(0) != '{' || text.charAt(text.length() - 1) != '}') {
            throw new IllegalArgumentException(
                    "Not a one-dimensional array (ClickHouse's Array takes one): " + ClickHouseLiterals.abbreviate(text));
        }
        List<String> elements = new ArrayList<>();
        int i = 1;
        int end = text.length() - 1;
        if (i == end) {
            return elements;
        }
        while (i <= end) {
            char c = text.charAt(i);
            if (c == '{') {
                throw new IllegalArgumentException(
                        "Multi-dimensional array (ClickHouse's Array column takes one dimension): "
                                + ClickHouseLiterals.abbreviate(text));
            }
            StringBuilder element = new StringBuilder();
            boolean quoted = c == '"';
            if (quoted) {
                i++;
                while (text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\') {
                        i++;
                    }
                    element.append(text.charAt(i++));
                }
                i++;
                elements.add(element.toString());
            } else {
                while (i < end && text.charAt(i) != ',') {
                    element.append(text.charAt(i++));
                }
                String e = element.toString().trim();
                elements.add(e.equals("NULL") ? null : e);
            }
            // i is at ',' or at the closing brace
            i++;
        }
        return elements;
    }
}
