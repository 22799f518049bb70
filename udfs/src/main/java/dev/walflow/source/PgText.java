package dev.walflow.source;

import io.debezium.data.SpecialValueDecimal;
import org.postgresql.PGStatement;
import org.postgresql.util.PGInterval;
import org.postgresql.util.PGobject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.sql.Array;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.HexFormat;
import java.util.List;
import java.util.TimeZone;
import java.util.UUID;

/** Formats the Java objects the JDBC driver and Debezium's decoder produce as PostgreSQL text. */
public final class PgText {

    private static final DateTimeFormatter TIME =
            new DateTimeFormatterBuilder()
                    .appendPattern("HH:mm:ss")
                    .optionalStart()
                    .appendFraction(ChronoField.NANO_OF_SECOND, 0, 6, true)
                    .toFormatter();
    /** The general form of timestamps (package-private: the hand-written one is checked against it). */
    static final DateTimeFormatter LOCAL_TIMESTAMP =
            new DateTimeFormatterBuilder()
                    .appendPattern("uuuu-MM-dd ")
                    .append(TIME)
                    .toFormatter();
    /** The same with the offset, {@code +00} for UTC. */
    static final DateTimeFormatter OFFSET_TIMESTAMP =
            new DateTimeFormatterBuilder().append(LOCAL_TIMESTAMP).appendOffset("+HH:MM", "+00").toFormatter();
    private static final DateTimeFormatter OFFSET_TIME =
            new DateTimeFormatterBuilder().append(TIME).appendOffset("+HH:MM", "+00").toFormatter();

    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1000, 10_000, 100_000};

    /** Debezium 1.9's epoch days for 'infinity' and '-infinity' dates in the streaming path. */
    private static final long DEBEZIUM_DATE_POSITIVE_INFINITY = -2147472692L;

    private static final long DEBEZIUM_DATE_NEGATIVE_INFINITY = -2147472691L;
    private static final long DAY_MILLIS = 86_400_000L;

    private PgText() {}

    /**
     * @param typeName PostgreSQL's type name as Debezium reports it ({@code int4}, {@code _text},
     *     {@code timestamptz}, ...)
     * @param value the object from the driver (snapshot) or from Debezium's decoder (streaming)
     */
    public static String format(String typeName, Object value) {
        if (value == null) {
            return null;
        }
        if (typeName.startsWith("_")) {
            return formatArray(typeName.substring(1), value);
        }
        switch (typeName) {
            case "money":
                return formatMoney(value);
            case "date":
                return formatDate(value);
            case "timestamp":
                return formatTimestamp(value, false);
            case "timestamptz":
                return formatTimestamp(value, true);
            case "time":
                return formatTime(value);
            case "timetz":
                return formatTimeTz(value);
            case "bytea":
                return value instanceof byte[] ? "\\x" + HexFormat.of().formatHex((byte[]) value) : value.toString();
            case "bit":
            case "varbit":
                return formatBits(value);
            case "interval":
                return formatInterval(value);
            default:
                return formatScalar(value);
        }
    }

    private static String formatScalar(Object value) {
        if (value instanceof String) {
            return (String) value;
        }
        if (value instanceof PGobject) {
            return ((PGobject) value).getValue();
        }
        if (value instanceof SQLXML) {
            // The driver's xml object (snapshot reads); its toString is not the document.
            try {
                return ((SQLXML) value).getString();
            } catch (SQLException e) {
                throw new IllegalStateException("Failed to read an xml value", e);
            }
        }
        if (value instanceof BigDecimal) {
            return ((BigDecimal) value).toPlainString();
        }
        if (value instanceof SpecialValueDecimal) {
            SpecialValueDecimal special = (SpecialValueDecimal) value;
            return special.getDecimalValue()
                    .map(BigDecimal::toPlainString)
                    .orElseGet(() -> specialNumber(special.toString()));
        }
        if (value instanceof Double) {
            return formatDouble((Double) value);
        }
        if (value instanceof Float) {
            return formatFloat((Float) value);
        }
        if (value instanceof Number || value instanceof Boolean || value instanceof UUID
                || value instanceof BigInteger) {
            return value.toString();
        }
        if (value instanceof byte[]) {
            // Types Debezium does not know arrive as the bytes of their text form.
            return new String((byte[]) value, java.nio.charset.StandardCharsets.UTF_8);
        }
        return value.toString();
    }

    private static String specialNumber(String text) {
        switch (text) {
            case "POSITIVE_INFINITY":
                return "Infinity";
            case "NEGATIVE_INFINITY":
                return "-Infinity";
            default:
                return "NaN";
        }
    }

    static String formatDouble(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return Double.toString(d);
    }

    static String formatFloat(float f) {
        if (Float.isNaN(f)) {
            return "NaN";
        }
        if (Float.isInfinite(f)) {
            return f > 0 ? "Infinity" : "-Infinity";
        }
        return Float.toString(f);
    }

    private static String formatMoney(Object value) {
        if (value instanceof Number) {
            BigDecimal amount =
                    value instanceof BigDecimal
                            ? (BigDecimal) value
                            : BigDecimal.valueOf(((Number) value).doubleValue());
            return amount.setScale(2, RoundingMode.HALF_EVEN).toPlainString();
        }
        return formatScalar(value).replace(",", "").replace("$", "");
    }

    private static String formatDate(Object value) {
        if (value instanceof java.sql.Date) {
            long millis = ((java.sql.Date) value).getTime();
            if (millis == PGStatement.DATE_POSITIVE_INFINITY) {
                return "infinity";
            }
            if (millis == PGStatement.DATE_NEGATIVE_INFINITY) {
                return "-infinity";
            }
            return ((java.sql.Date) value).toLocalDate().toString();
        }
        if (value instanceof LocalDate) {
            LocalDate date = (LocalDate) value;
            long epochDay = date.toEpochDay();
            if (date.equals(LocalDate.MAX) || epochDay == DEBEZIUM_DATE_POSITIVE_INFINITY) {
                return "infinity";
            }
            if (date.equals(LocalDate.MIN) || epochDay == DEBEZIUM_DATE_NEGATIVE_INFINITY) {
                return "-infinity";
            }
            return date.toString();
        }
        return formatScalar(value);
    }

    private static String formatTimestamp(Object value, boolean withZone) {
        if (value instanceof Timestamp) {
            Timestamp ts = (Timestamp) value;
            if (ts.getTime() == PGStatement.DATE_POSITIVE_INFINITY) {
                return "infinity";
            }
            if (ts.getTime() == PGStatement.DATE_NEGATIVE_INFINITY) {
                return "-infinity";
            }
            // The driver builds a local timestamp in the JVM's zone and an instant for timestamptz.
            return withZone
                    ? OFFSET_TIMESTAMP.format(ts.toInstant().atOffset(ZoneOffset.UTC))
                    : LOCAL_TIMESTAMP.format(ts.toLocalDateTime());
        }
        if (value instanceof OffsetDateTime) {
            OffsetDateTime odt = (OffsetDateTime) value;
            if (odt.equals(OffsetDateTime.MAX) || odt.getYear() >= 292278994) {
                return "infinity";
            }
            if (odt.equals(OffsetDateTime.MIN) || odt.getYear() <= -292275055) {
                return "-infinity";
            }
            return withZone
                    ? formatUtc(odt.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime())
                    : formatLocal(odt.toLocalDateTime());
        }
        if (value instanceof Instant) {
            Instant instant = (Instant) value;
            long micros = instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
            if (instant.equals(Instant.MAX) || micros == PGStatement.DATE_POSITIVE_INFINITY) {
                return "infinity";
            }
            if (instant.equals(Instant.MIN) || micros == PGStatement.DATE_NEGATIVE_INFINITY) {
                return "-infinity";
            }
            LocalDateTime utc = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
            return withZone ? formatUtc(utc) : formatLocal(utc);
        }
        if (value instanceof LocalDateTime) {
            LocalDateTime ldt = (LocalDateTime) value;
            if (ldt.equals(LocalDateTime.MAX)) {
                return "infinity";
            }
            if (ldt.equals(LocalDateTime.MIN)) {
                return "-infinity";
            }
            return formatLocal(ldt);
        }
        return formatScalar(value);
    }

    /** A timestamp with time zone in UTC, as {@link #OFFSET_TIMESTAMP} writes it. */
    static String formatUtc(LocalDateTime utc) {
        if (!isFourDigitYear(utc)) {
            return OFFSET_TIMESTAMP.format(utc.atOffset(ZoneOffset.UTC));
        }
        return appendDateTime(new StringBuilder(29), utc).append("+00").toString();
    }

    /** A timestamp without time zone, as {@link #LOCAL_TIMESTAMP} writes it. */
    static String formatLocal(LocalDateTime local) {
        if (!isFourDigitYear(local)) {
            return LOCAL_TIMESTAMP.format(local);
        }
        return appendDateTime(new StringBuilder(26), local).toString();
    }

    private static boolean isFourDigitYear(LocalDateTime t) {
        return t.getYear() >= 1 && t.getYear() <= 9999;
    }

    /**
     * What the formatters write for a year of four digits, by hand: nearly every streamed row
     * has a timestamp, and a {@code DateTimeFormatter} took several times as long per value.
     */
    private static StringBuilder appendDateTime(StringBuilder out, LocalDateTime t) {
        appendDigits(out, t.getYear(), 4).append('-');
        appendDigits(out, t.getMonthValue(), 2).append('-');
        appendDigits(out, t.getDayOfMonth(), 2).append(' ');
        appendDigits(out, t.getHour(), 2).append(':');
        appendDigits(out, t.getMinute(), 2).append(':');
        appendDigits(out, t.getSecond(), 2);
        // Microseconds, truncated: without trailing zeros when the nanoseconds end in 000 (all
        // PostgreSQL's values), all six digits otherwise, as the formatter does; none for zero.
        int nanos = t.getNano();
        if (nanos != 0) {
            int micros = nanos / 1000;
            int digits = 6;
            while (nanos % 1000 == 0 && micros % 10 == 0) {
                micros /= 10;
                digits--;
            }
            appendDigits(out.append('.'), micros, digits);
        }
        return out;
    }

    /** {@code value} in {@code width} digits (1 to 6), with leading zeros. */
    private static StringBuilder appendDigits(StringBuilder out, int value, int width) {
        for (int divisor = POWERS_OF_TEN[width - 1]; divisor > 0; divisor /= 10) {
            out.append((char) ('0' + value / divisor % 10));
        }
        return out;
    }

    private static String formatTime(Object value) {
        if (value instanceof LocalTime) {
            return TIME.format((LocalTime) value);
        }
        if (value instanceof Time) {
            // Time.toLocalTime() drops the milliseconds the driver did keep.
            Time time = (Time) value;
            long local = time.getTime() + TimeZone.getDefault().getOffset(time.getTime());
            return TIME.format(LocalTime.ofNanoOfDay(Math.floorMod(local, DAY_MILLIS) * 1_000_000L));
        }
        if (value instanceof java.time.Duration) {
            // Debezium reads time as a duration so that 24:00:00 survives.
            long micros = ((java.time.Duration) value).toNanos() / 1000;
            return String.format(
                    "%02d:%02d:%02d.%06d",
                    micros / 3_600_000_000L,
                    (micros / 60_000_000L) % 60,
                    (micros / 1_000_000L) % 60,
                    micros % 1_000_000L);
        }
        return formatScalar(value);
    }

    private static String formatTimeTz(Object value) {
        if (value instanceof OffsetTime) {
            return OFFSET_TIME.format((OffsetTime) value);
        }
        if (value instanceof Time) {
            // The snapshot's driver object: an instant on 1970-01-01, so the offset is gone; give
            // it in UTC as the streaming path does.
            long utc = Math.floorMod(((Time) value).getTime(), DAY_MILLIS);
            return OFFSET_TIME.format(
                    LocalTime.ofNanoOfDay(utc * 1_000_000L).atOffset(ZoneOffset.UTC));
        }
        return formatScalar(value);
    }

    private static String formatBits(Object value) {
        if (value instanceof Boolean) {
            return ((Boolean) value) ? "1" : "0";
        }
        return formatScalar(value);
    }

    private static String formatInterval(Object value) {
        if (value instanceof PGInterval) {
            PGInterval interval = (PGInterval) value;
            // ISO 8601 with exact microseconds; PostgreSQL reads it back unchanged.
            long micros = Math.round(interval.getSeconds() * 1_000_000d);
            return String.format(
                    "P%dY%dM%dDT%dH%dM%sS",
                    interval.getYears(),
                    interval.getMonths(),
                    interval.getDays(),
                    interval.getHours(),
                    interval.getMinutes(),
                    BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString());
        }
        return formatScalar(value);
    }

    /** An array element as walflow writes every one: quoted, with backslash and quote escaped. */
    static void appendArrayElement(StringBuilder out, String text) {
        out.append('"').append(text.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }

    private static String formatArray(String elementType, Object value) {
        Object[] elements;
        if (value instanceof Array) {
            try {
                elements = (Object[]) ((Array) value).getArray();
            } catch (SQLException e) {
                throw new IllegalStateException("Failed to read an array of " + elementType, e);
            }
        } else if (value instanceof List) {
            elements = ((List<?>) value).toArray();
        } else if (value instanceof Object[]) {
            elements = (Object[]) value;
        } else if (value instanceof String || value instanceof PGobject) {
            return formatScalar(value);
        } else {
            throw new IllegalArgumentException(
                    "Unsupported array value of type " + value.getClass().getName() + " for " + elementType + "[]");
        }
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < elements.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            Object element = elements[i];
            if (element == null) {
                out.append("NULL");
            } else if (element instanceof Object[] || element instanceof List) {
                out.append(formatArray(elementType, element));
            } else {
                appendArrayElement(out, format(elementType, element));
            }
        }
        return out.append('}').toString();
    }
}
