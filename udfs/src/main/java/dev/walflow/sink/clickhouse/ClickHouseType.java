package dev.walflow.sink.clickhouse;

import dev.walflow.schema.ColumnInfo;

import java.io.Serializable;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ClickHouse column type chosen for a PostgreSQL column, and how its PostgreSQL text is
 * written as a ClickHouse literal. The choices (README, "ClickHouse"):
 * <ul>
 *   <li>smallint, integer, bigint, oid: Int16, Int32, Int64, UInt32;</li>
 *   <li>real, double precision: Float32, Float64 (NaN and infinities kept);</li>
 *   <li>numeric(p,s): Decimal(p,s), NaN as NULL; numeric without a precision: String, exact;</li>
 *   <li>boolean: Bool; uuid: UUID; bytea: String of the raw bytes;</li>
 *   <li>date: Date32; timestamp: DateTime64(6) read as UTC wall time; timestamptz:
 *       DateTime64(6, 'UTC'); values outside 1900-2299 and infinities are NULL;</li>
 *   <li>arrays of the types above: Array(Nullable(T)), several dimensions flattened;</li>
 *   <li>everything else (text, varchar, char, json, jsonb, time, timetz, interval, money, inet,
 *       bit strings, enums, ...): String holding PostgreSQL's text.</li>
 * </ul>
 * Columns are Nullable unless the source declares them NOT NULL and every value fits;
 * key columns are never Nullable (they are in the sorting key), and key columns of types with
 * values ClickHouse lacks are String.
 */
final class ClickHouseType implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How a value is written. */
    enum Kind {
        INTEGER, FLOAT, DECIMAL, BOOL, STRING, BYTES, UUID, DATE, DATETIME, DATETIME_TZ
    }

    private static final Pattern NUMERIC = Pattern.compile("numeric\\((\\d+),(\\d+)\\)");

    private final Kind kind;
    /** The element's type, without Nullable: {@code Int32}, {@code Decimal(38,10)}. */
    private final String base;
    private final boolean array;
    /** Some values become NULL (NaN decimals, dates out of range), so the column must allow it. */
    private final boolean lossyToNull;
    /** Whether an array of it becomes Array(...), rather than the array's text. */
    private final boolean arrayable;

    private ClickHouseType(Kind kind, String base, boolean array, boolean lossyToNull, boolean arrayable) {
        this.kind = kind;
        this.base = base;
        this.array = array;
        this.lossyToNull = lossyToNull;
        this.arrayable = arrayable;
    }

    private static ClickHouseType plain(Kind kind, String base) {
        return new ClickHouseType(kind, base, false, false, true);
    }

    private static ClickHouseType lossy(Kind kind, String base) {
        return new ClickHouseType(kind, base, false, true, true);
    }

    /** Kept as PostgreSQL's text, arrays included. */
    static ClickHouseType text() {
        return new ClickHouseType(Kind.STRING, "String", false, false, false);
    }

    /**
     * The type of a column; a key column whose values may have no ClickHouse equivalent (dates
     * out of range, NaN decimals) keeps its text instead, as a key cannot be NULL.
     */
    static ClickHouseType of(ColumnInfo column, boolean key) {
        ClickHouseType type = of(column);
        return key && type.lossyToNull ? text() : type;
    }

    static ClickHouseType of(ColumnInfo column) {
        String type = column.typeName();
        boolean array = type.startsWith("_");
        String element = array ? type.substring(1) : type;
        ClickHouseType scalar = scalar(element, array ? "" : column.declaredType().toLowerCase(Locale.ROOT));
        if (!array) {
            return scalar;
        }
        return scalar.arrayable ? new ClickHouseType(scalar.kind, scalar.base, true, scalar.lossyToNull, true) : text();
    }

    private static ClickHouseType scalar(String typeName, String declared) {
        switch (typeName) {
            case "int2":
                return plain(Kind.INTEGER, "Int16");
            case "int4":
                return plain(Kind.INTEGER, "Int32");
            case "int8":
                return plain(Kind.INTEGER, "Int64");
            case "oid":
                return plain(Kind.INTEGER, "UInt32");
            case "float4":
                return plain(Kind.FLOAT, "Float32");
            case "float8":
                return plain(Kind.FLOAT, "Float64");
            case "numeric": {
                Matcher m = NUMERIC.matcher(declared.replace(" ", ""));
                if (m.matches() && Integer.parseInt(m.group(1)) <= 76) {
                    return lossy(Kind.DECIMAL, "Decimal(" + m.group(1) + ", " + m.group(2) + ")");
                }
                // Unconstrained numeric has no ClickHouse equivalent that keeps every value.
                return text();
            }
            case "bool":
                return plain(Kind.BOOL, "Bool");
            case "uuid":
                return plain(Kind.UUID, "UUID");
            case "bytea":
                return plain(Kind.BYTES, "String");
            case "date":
                return lossy(Kind.DATE, "Date32");
            case "timestamp":
                return lossy(Kind.DATETIME, "DateTime64(6, 'UTC')");
            case "timestamptz":
                return lossy(Kind.DATETIME_TZ, "DateTime64(6, 'UTC')");
            case "text":
            case "varchar":
            case "bpchar":
            case "name":
                return plain(Kind.STRING, "String");
            default:
                return text();
        }
    }

    Kind kind() {
        return kind;
    }

    boolean isArray() {
        return array;
    }

    /** Whether some source values have no ClickHouse value and are written as NULL. */
    boolean lossyToNull() {
        return lossyToNull;
    }

    /** The column's type in DDL. */
    String ddl(boolean notNull, boolean key) {
        if (array) {
            return "Array(Nullable(" + base + "))";
        }
        if (key || notNull && !lossyToNull) {
            return base;
        }
        return "Nullable(" + base + ")";
    }

    @Override
    public String toString() {
        return ddl(false, false);
    }
}
