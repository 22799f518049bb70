package dev.walflow.source;

import io.debezium.data.SpecialValueDecimal;
import org.junit.jupiter.api.Test;
import org.postgresql.PGStatement;
import org.postgresql.util.PGInterval;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class PgTextTest {

    @Test
    void numbersKeepTheirExactText() {
        assertThat(PgText.format("numeric", new BigDecimal("1.500"))).isEqualTo("1.500");
        assertThat(PgText.format("numeric", Double.NaN)).isEqualTo("NaN");
        assertThat(PgText.format("numeric", new SpecialValueDecimal(new BigDecimal("12E+3")))).isEqualTo("12000");
        assertThat(PgText.format("float8", Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        assertThat(PgText.format("float4", 1.1f)).isEqualTo("1.1");
        assertThat(PgText.format("money", -1234.5d)).isEqualTo("-1234.50");
    }

    @Test
    void infinitiesFromBothPathsBecomeInfinity() {
        assertThat(PgText.format("date", new Date(PGStatement.DATE_POSITIVE_INFINITY))).isEqualTo("infinity");
        assertThat(PgText.format("date", LocalDate.ofEpochDay(-2147472691L))).isEqualTo("-infinity");
        assertThat(PgText.format("timestamp", new Timestamp(PGStatement.DATE_NEGATIVE_INFINITY))).isEqualTo("-infinity");
        assertThat(PgText.format("timestamp", Instant.EPOCH.plus(PGStatement.DATE_POSITIVE_INFINITY, java.time.temporal.ChronoUnit.MICROS))).isEqualTo("infinity");
    }

    @Test
    void timesKeepMicroseconds() {
        assertThat(PgText.format("timestamptz", Instant.parse("2024-02-29T13:14:15.000001Z")))
                .isEqualTo("2024-02-29 13:14:15.000001+00");
        assertThat(PgText.format("timetz", OffsetTime.of(13, 14, 15, 123_456_000, ZoneOffset.UTC)))
                .isEqualTo("13:14:15.123456+00");
    }

    @Test
    void handWrittenTimestampsMatchTheFormatters() {
        Random random = new Random(3);
        List<LocalDateTime> values = new ArrayList<>(List.of(
                LocalDateTime.of(1, 1, 1, 0, 0), LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_999),
                LocalDateTime.of(5, 6, 7, 8, 9, 10, 100_000_000), LocalDateTime.of(2024, 2, 29, 13, 14, 15, 1_000),
                LocalDateTime.of(2024, 2, 29, 13, 14, 15, 999), LocalDateTime.of(2024, 2, 29, 13, 14, 15, 1_000_999),
                LocalDateTime.of(10_000, 1, 1, 0, 0),
                LocalDateTime.of(0, 1, 1, 0, 0), LocalDateTime.of(-44, 3, 15, 12, 0)));
        for (int i = 0; i < 10_000; i++) {
            values.add(LocalDateTime.ofEpochSecond(random.nextLong(-62_135_596_800L, 253_402_300_800L),
                    random.nextInt(4) == 0 ? 0 : random.nextBoolean() ? random.nextInt(1_000_000) * 1000 : random.nextInt(1_000_000_000),
                    ZoneOffset.UTC));
        }
        for (LocalDateTime t : values) {
            assertThat(PgText.formatUtc(t)).as(t.toString()).isEqualTo(PgText.OFFSET_TIMESTAMP.format(t.atOffset(ZoneOffset.UTC)));
            assertThat(PgText.formatLocal(t)).as(t.toString()).isEqualTo(PgText.LOCAL_TIMESTAMP.format(t));
        }
        assertThat(PgText.format("timestamptz", OffsetDateTime.of(2024, 1, 1, 1, 30, 0, 0, ZoneOffset.ofHours(2))))
                .isEqualTo("2023-12-31 23:30:00+00");
        assertThat(PgText.format("timestamp", LocalDateTime.of(2024, 1, 1, 1, 30, 0, 120_000_000)))
                .isEqualTo("2024-01-01 01:30:00.12");
    }

    @Test
    void intervalIsExactIso() throws Exception {
        assertThat(PgText.format("interval", new PGInterval("1 year 2 mons 3 days 04:05:06.789")))
                .isEqualTo("P1Y2M3DT4H5M6.789S");
    }

    @Test
    void arraysQuoteEveryElementAndKeepNulls() {
        assertThat(PgText.format("_text", new Object[] {"a\"b", null, "c,d", "\\"})).isEqualTo("{\"a\\\"b\",NULL,\"c,d\",\"\\\\\"}");
        assertThat(PgText.format("_int4", Arrays.asList(1, null))).isEqualTo("{\"1\",NULL}");
        assertThat(PgText.format("_int4", List.of(List.of(1, 2), List.of(3, 4)))).isEqualTo("{{\"1\",\"2\"},{\"3\",\"4\"}}");
    }

    @Test
    void byteaIsHex() {
        assertThat(PgText.format("bytea", new byte[] {0, (byte) 0xff})).isEqualTo("\\x00ff");
        assertThat(PgText.format("varbit", "0101")).isEqualTo("0101");
    }

    @Test
    void unknownTypesKeepTheirText() {
        assertThat(PgText.format("tsvector", "'a':1 'b':2".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo("'a':1 'b':2");
    }
}
