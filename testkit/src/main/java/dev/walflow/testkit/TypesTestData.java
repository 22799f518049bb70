package dev.walflow.testkit;

import java.util.List;

/**
 * A table holding every column type the core pipeline promises to round-trip, and rows with
 * the edge values of each (NULLs, infinities, quotes, NaN, extreme precision).
 */
public final class TypesTestData {

    private TypesTestData() {}

    public static final String TABLE = "public.all_types";

    public static final String DDL =
            "CREATE TABLE public.all_types ("
                    + " id bigint PRIMARY KEY,"
                    + " c_smallint smallint, c_int integer, c_bigint bigint,"
                    + " c_numeric numeric, c_numeric_p numeric(38,10),"
                    + " c_real real, c_double double precision, c_money money,"
                    + " c_bool boolean, c_text text, c_varchar varchar(20), c_char char(5),"
                    + " c_bytea bytea, c_uuid uuid, c_date date, c_time time, c_timetz timetz,"
                    + " c_ts timestamp, c_ts3 timestamp(3), c_tstz timestamptz, c_interval interval,"
                    + " c_json json, c_jsonb jsonb, c_int_arr integer[], c_text_arr text[],"
                    + " c_inet inet, c_varbit bit varying(64), c_bit bit(4))";

    /**
     * Rows only written while streaming: values Flink CDC 3.5's snapshot cannot read exactly,
     * because it reads with ResultSet.getObject (money of 1,000 or more fails, time keeps
     * milliseconds only).
     */
    public static List<String> streamingOnlyRows(int firstId) {
        return List.of(
                firstId
                        + ", 7, 8, 9, 0.000000000000000000000000000001, 1.5, 3.4028235e38, 4.9e-324,"
                        + " 123456789.12, true, 'micro', 'v', 'xy', '\\xdeadbeef'::bytea,"
                        + " 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '0001-01-01', '13:14:15.123456',"
                        + " '13:14:15.654321+05:30', '2024-02-29 13:14:15.000001', '2024-02-29 13:14:15.999',"
                        + " '1999-12-31 23:59:59.999999-08', '-178000000 years', '{\"deep\": {\"a\": [1, {\"b\": null}]}}',"
                        + " '{\"k\": \"v\"}', '{-2147483648,2147483647}', '{\"\\\\\",\"{}\"}',"
                        + " '2001:db8::1/64', B'1', B'1111'");
    }

    /** Rows as SQL value lists, in column order. */
    public static List<String> rows(int firstId) {
        int i = firstId;
        return List.of(
                (i)
                        + ", 1, 2, 3, 1.5, 12.3456789012, 1.25, 2.5, 12.34, true, 'plain', 'v', 'ab',"
                        + " '\\x00ff'::bytea, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-02-29',"
                        + " '13:14:15.123', '13:14:15+02', '2024-02-29 13:14:15.123456',"
                        + " '2024-02-29 13:14:15.123', '2024-02-29 13:14:15.123456+00',"
                        + " '1 year 2 mons 3 days 04:05:06.789', '{\"a\": [1, 2]}',"
                        + " '{\"b\": {\"c\": null}}', '{1,NULL,3}', '{\"x\\\"y\",NULL,\"c,d\",\"\"}',"
                        + " '192.168.0.1/24', B'10101', B'1010'",
                (i + 1)
                        + ", -32768, -2147483648, -9223372036854775808,"
                        + " 123456789012345678901234567890.123456789012345678901234567890,"
                        + " -9999999999999999999999999999.9999999999,"
                        + " 'Infinity', '-Infinity', -999.99, false,"
                        + " E'quote '' backslash \\\\ tab \\t newline \\n unicode \u00e9\u4e2d',"
                        + " 'x', 'abcde', '\\x'::bytea, '00000000-0000-0000-0000-000000000000',"
                        + " 'infinity', '00:00:00', '00:00:00-11', 'infinity', '-infinity', 'infinity',"
                        + " '-1 days -00:00:01', '[]', '[]', '{}', '{}', '::1', B'', B'0000'",
                (i + 2)
                        + ", 32767, 2147483647, 9223372036854775807, 'NaN', 0, 'NaN', 1.7976931348623157e308,"
                        + " 999.99, null, '', '', '', null, null, '-infinity', '23:59:59.999',"
                        + " null, '-infinity', null, '-infinity', '0 seconds', 'null', '\"s\"',"
                        + " '{NULL}', '{NULL,\"NULL\"}', '10.0.0.0/8', null, null",
                (i + 3)
                        + ", null, null, null, null, null, null, null, null, null, null, null, null,"
                        + " null, null, '1970-01-01', null, null, '1970-01-01 00:00:00', null,"
                        + " '1999-12-31 23:59:59.999999-08', null, null, null, null, null, null, null, null");
    }
}
