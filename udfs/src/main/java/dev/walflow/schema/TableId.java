package dev.walflow.schema;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A table's schema and name as stored in the catalog (case preserved, unquoted). */
public final class TableId implements Serializable, Comparable<TableId> {

    private static final long serialVersionUID = 1L;

    private final String schema;
    private final String name;

    public TableId(String schema, String name) {
        this.schema = Objects.requireNonNull(schema, "schema must not be null");
        this.name = Objects.requireNonNull(name, "name must not be null");
    }

    /**
     * Parses {@code schema.table} as SQL would: unquoted parts fold to lower case, double-quoted
     * parts keep their case and may contain dots. A bare name means schema {@code public}.
     */
    public static TableId parse(String text) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        String s = text.trim();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        part.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    part.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                wasQuoted = true;
            } else if (c == '.') {
                parts.add(wasQuoted ? part.toString() : part.toString().toLowerCase());
                part.setLength(0);
                wasQuoted = false;
            } else {
                part.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("Unterminated quote in table name: " + text);
        }
        parts.add(wasQuoted ? part.toString() : part.toString().toLowerCase());
        if (parts.size() == 1) {
            parts.add(0, "public");
        }
        if (parts.size() != 2 || parts.get(0).isEmpty() || parts.get(1).isEmpty()) {
            throw new IllegalArgumentException(
                    "Expected schema.table, got '" + text + "'");
        }
        return new TableId(parts.get(0), parts.get(1));
    }

    /** From the unquoted {@code schema.table} that change events carry. */
    public static TableId ofEventTable(String table) {
        int dot = table.indexOf('.');
        return new TableId(table.substring(0, dot), table.substring(dot + 1));
    }

    public String schema() {
        return schema;
    }

    public String name() {
        return name;
    }

    /** {@code "schema"."name"}, safe in SQL whatever the case or characters. */
    public String quoted() {
        return quote(schema) + "." + quote(name);
    }

    /** The unquoted {@code schema.table} form used in events and logs. */
    public String eventName() {
        return schema + "." + name;
    }

    public static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    public int compareTo(TableId o) {
        return eventName().compareTo(o.eventName());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TableId
                && ((TableId) o).schema.equals(schema)
                && ((TableId) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schema, name);
    }

    @Override
    public String toString() {
        return eventName();
    }
}
