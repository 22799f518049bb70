package dev.walflow.sink.clickhouse;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes PostgreSQL's text form of a value as a ClickHouse literal of the column's type, for
 * {@code INSERT ... VALUES}. Literals keep values exact: decimals and integers go as their
 * digits, strings and bytes with escapes, dates and times as quoted text in UTC.
 */
final class ClickHouseLiterals {

    /** Date32 and DateTime64 hold 1900-01-01 to 2299-12-31. */
    private static final int MIN_YEAR = 1900;
    private static final int MAX_YEAR = 2299;
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final Pattern FLOAT = Pattern.compile("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Pattern HEX_BYTES = Pattern.compile("\\\\x([0-9a-fA-F]{2})*");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern DATETIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?");
    private static final DateTimeFormatter PG_OFFSET_TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .appendOffset("+HH:mm", "+00")
            .toFormatter();
    private static final DateTimeFormatter UTC_TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 6, 6, true)
            .toFormatter();

    private ClickHouseLiterals() {}

    /**
     * Appends the literal of {@code pgText} (null for SQL NULL). Returns false when the value has
     * no ClickHouse equivalent and NULL was written instead (see {@link ClickHouseType}).
     */
    static boolean append(StringBuilder out, ClickHouseType type, String pgText) {
        if (pgText == null) {
            out.append("NULL");
            return true;
        }
        if (type.isArray()) {
            appendArray(out, type.kind(), pgText);
            return true;
        }
        return appendScalar(out, type.kind(), pgText);
    }

    private static boolean appendScalar(StringBuilder out, ClickHouseType.Kind kind, String v) {
        switch (kind) {
            case INTEGER:
                out.append(checked(INTEGER, v, "an integer"));
                return true;
            case FLOAT:
                switch (v) {
                    case "NaN":
                        out.append("nan");
                        break;
                    case "Infinity":
                        out.append("inf");
                        break;
                    case "-Infinity":
                        out.append("-inf");
                        break;
                    default:
                        out.append(checked(FLOAT, v, "a floating-point number"));
                }
                return true;
            case DECIMAL:
                if (v.equals("NaN") || v.endsWith("Infinity")) {
                    out.append("NULL");
                    return false;
                }
                out.append(checked(DECIMAL, v, "a decimal"));
                return true;
            case BOOL:
                out.append(v.equals("t") || v.equals("true") ? "true" : "false");
                return true;
            case BYTES:
                appendBytes(out, v);
                return true;
            case DATE:
                return appendInRange(out, v, DATE.matcher(v).matches() ? v : null);
            case DATETIME:
                return appendInRange(out, v, DATETIME.matcher(v).matches() ? v : null);
            case DATETIME_TZ:
                return appendInRange(out, v, utc(v));
            case UUID:
            case STRING:
            default:
                appendString(out, v);
                return true;
        }
    }

    private static boolean appendInRange(StringBuilder out, String original, String text) {
        if (text != null) {
            int year = Integer.parseInt(text.substring(0, 4));
            if (year >= MIN_YEAR && year <= MAX_YEAR && !original.endsWith(" BC")) {
                appendString(out, text);
                return true;
            }
        }
        out.append("NULL");
        return false;
    }

    /** A timestamptz's text (walflow writes it in UTC, {@code +00}) as UTC wall time. */
    private static String utc(String v) {
        if (v.endsWith("+00") && DATETIME.matcher(v.substring(0, v.length() - 3)).matches()) {
            return v.substring(0, v.length() - 3);
        }
        try {
            return UTC_TIMESTAMP.format(OffsetDateTime.parse(v, PG_OFFSET_TIMESTAMP).withOffsetSameInstant(ZoneOffset.UTC));
        } catch (RuntimeException e) {
            return null; // infinity, BC, years past 9999
        }
    }

    static void appendString(StringBuilder out, String v) {
        out.append('\'');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\'' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        out.append('\'');
    }

    /** bytea's {@code \x0a1b} text as a string of those bytes. */
    private static void appendBytes(StringBuilder out, String v) {
        checked(HEX_BYTES, v, "bytea in hex format");
        out.append('\'');
        for (int i = 2; i + 1 < v.length(); i += 2) {
            out.append("\\x").append(Character.toLowerCase(v.charAt(i))).append(Character.toLowerCase(v.charAt(i + 1)));
        }
        out.append('\'');
    }

    private static void appendArray(StringBuilder out, ClickHouseType.Kind kind, String v) {
        List<String> elements = PgArrays.parse(v);
        out.append('[');
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            String e = elements.get(i);
            if (e == null) {
                out.append("NULL");
            } else {
                appendScalar(out, kind, e);
            }
        }
        out.append(']');
    }

    /**
     * Numbers go into the statement unquoted, so they are checked: text that is not one (the
     * column's type changed at the source) must fail, not become SQL.
     */
    private static String checked(Pattern pattern, String v, String what) {
        if (!pattern.matcher(v).matches()) {
            throw new IllegalArgumentException("'" + abbreviate(v) + "' is not " + what
                    + " (did the column's type change at the source?)");
        }
        return v;
    }

    static String abbreviate(String v) {
        return v.length() > 80 ? v.substring(0, 80) + "..." : v;
    }
}
