package dev.walflow.sink.clickhouse;

import dev.walflow.schema.ColumnInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClickHouseLiteralsTest {

    private static ClickHouseType type(String typeName, String declared) {
        return ClickHouseType.of(new ColumnInfo("c", declared, "pg_catalog." + typeName, typeName, false, true, false));
    }

    private static String literal(ClickHouseType type, String pgText) {
        StringBuilder out = new StringBuilder();
        ClickHouseLiterals.append(out, type, pgText);
        return out.toString();
    }

    @Test
    void numbersKeepTheirDigits() {
        assertThat(literal(type("int8", "bigint"), "-9223372036854775808")).isEqualTo("-9223372036854775808");
        ClickHouseType decimal = type("numeric", "numeric(38,10)");
        assertThat(decimal.ddl(false, false)).isEqualTo("Nullable(Decimal(38, 10))");
        assertThat(literal(decimal, "0.0000000001")).isEqualTo("0.0000000001");
        assertThat(literal(decimal, "NaN")).isEqualTo("NULL");
        assertThat(literal(type("float8", "double precision"), "-Infinity")).isEqualTo("-inf");
        assertThat(literal(type("float4", "real"), "NaN")).isEqualTo("nan");
        assertThat(type("numeric", "numeric").ddl(true, false)).isEqualTo("String");
    }

    @Test
    void stringsAndBytesAreEscaped() {
        assertThat(literal(type("text", "text"), "it's a \\ path\nnext")).isEqualTo("'it\\'s a \\\\ path\nnext'");
        assertThat(literal(type("bytea", "bytea"), "\\x00FF27")).isEqualTo("'\\x00\\xff\\x27'");
        assertThat(literal(type("bytea", "bytea"), "\\x")).isEqualTo("''");
        assertThat(literal(type("bool", "boolean"), "t")).isEqualTo("true");
    }

    @Test
    void datesOutsideClickHouseRangeBecomeNull() {
        ClickHouseType date = type("date", "date");
        assertThat(literal(date, "2024-02-29")).isEqualTo("'2024-02-29'");
        assertThat(literal(date, "infinity")).isEqualTo("NULL");
        assertThat(literal(date, "0044-03-15 BC")).isEqualTo("NULL");
        assertThat(literal(date, "1899-12-31")).isEqualTo("NULL");
        ClickHouseType tstz = type("timestamptz", "timestamp with time zone");
        assertThat(literal(tstz, "2024-02-29 13:14:15.123456+00")).isEqualTo("'2024-02-29 13:14:15.123456'");
        assertThat(literal(tstz, "2024-02-29 13:14:15+05:30")).isEqualTo("'2024-02-29 07:44:15.000000'");
        assertThat(literal(tstz, "-infinity")).isEqualTo("NULL");
        assertThat(literal(type("timestamp", "timestamp without time zone"), "2299-12-31 23:59:59.999999"))
                .isEqualTo("'2299-12-31 23:59:59.999999'");
    }

    @Test
    void oneDimensionalArraysBecomeArrays() {
        ClickHouseType ints = type("_int4", "integer[]");
        assertThat(ints.ddl(false, false)).isEqualTo("Array(Nullable(Int32))");
        assertThat(literal(ints, "{1,NULL,-3}")).isEqualTo("[1,NULL,-3]");
        assertThat(literal(ints, "{}")).isEqualTo("[]");
        ClickHouseType texts = type("_text", "text[]");
        assertThat(literal(texts, "{\"a \\\"b\\\"\",NULL,\"NULL\",\"c,d\",\"\"}")).isEqualTo("['a \"b\"',NULL,'NULL','c,d','']");
        assertThat(literal(ints, "{{1,2},{3,4}}")).isEqualTo("[1,2,3,4]");
        // Arrays of types kept as text stay one text value.
        assertThat(type("_json", "json[]").ddl(false, false)).isEqualTo("Nullable(String)");
    }

    @Test
    void numbersThatAreNotNumbersFail() {
        // Unquoted in the statement: text where a number was expected must never become SQL.
        assertThatThrownBy(() -> literal(type("int4", "integer"), "1),(2"))
                .hasMessageContaining("is not an integer");
        assertThatThrownBy(() -> literal(type("numeric", "numeric(10,2)"), "1e5"))
                .hasMessageContaining("is not a decimal");
        assertThat(literal(type("float8", "double precision"), "1.7976931348623157e+308")).isEqualTo("1.7976931348623157e+308");
        assertThatThrownBy(() -> literal(type("bytea", "bytea"), "\\x0")).hasMessageContaining("bytea");
    }

    @Test
    void keysAreNeverNullable() {
        ColumnInfo dateKey = new ColumnInfo("d", "date", "pg_catalog.date", "date", true, true, false);
        // A key date may be infinity, which Date32 lacks: the key keeps its text.
        assertThat(ClickHouseType.of(dateKey, true).ddl(true, true)).isEqualTo("String");
        assertThat(type("int4", "integer").ddl(false, true)).isEqualTo("Int32");
        assertThat(type("date", "date").ddl(true, false)).isEqualTo("Nullable(Date32)");
        assertThat(type("int4", "integer").ddl(true, false)).isEqualTo("Int32");
    }
}
