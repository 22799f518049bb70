package dev.walflow.sink.clickhouse;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads PostgreSQL's text form of an array: {@code {1,NULL,"a \"b\""}}. Explicit bounds
 * ({@code [0:2]={...}}) are dropped and several dimensions are flattened in order, since a
 * ClickHouse Array column has one dimension and starts at 1.
 */
final class PgArrays {

    private PgArrays() {}

    /** The elements, null for NULL. */
    static List<String> parse(String text) {
        int start = 0;
        if (text.startsWith("[")) {
            start = text.indexOf('=') + 1;
        }
        if (start <= 0 && text.startsWith("[") || start >= text.length() || text.charAt(start) != '{'
                || text.charAt(text.length() - 1) != '}') {
            throw new IllegalArgumentException("Not an array: " + ClickHouseLiterals.abbreviate(text));
        }
        List<String> elements = new ArrayList<>();
        int i = start;
        int end = text.length();
        while (i < end) {
            char c = text.charAt(i);
            if (c == '{' || c == '}' || c == ',') {
                i++;
            } else if (c == '"') {
                StringBuilder element = new StringBuilder();
                i++;
                while (i < end && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\') {
                        i++;
                    }
                    if (i < end) {
                        element.append(text.charAt(i++));
                    }
                }
                if (i >= end) {
                    throw new IllegalArgumentException("Unterminated quote in array: " + ClickHouseLiterals.abbreviate(text));
                }
                i++;
                elements.add(element.toString());
            } else {
                int j = i;
                while (j < end && text.charAt(j) != ',' && text.charAt(j) != '}') {
                    j++;
                }
                String element = text.substring(i, j).trim();
                elements.add(element.equals("NULL") ? null : element);
                i = j;
            }
        }
        return elements;
    }
}
