package dev.walflow.sink.clickhouse;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgArraysTest {

    @Test
    void readsElementsQuotesAndNulls() {
        assertThat(PgArrays.parse("{}")).isEmpty();
        assertThat(PgArrays.parse("{1,2,3}")).containsExactly("1", "2", "3");
        assertThat(PgArrays.parse("{NULL,\"NULL\",\"\"}")).isEqualTo(Arrays.asList(null, "NULL", ""));
        assertThat(PgArrays.parse("{\"a,b\",\"c\\\"d\",\"e\\\\f\"}")).containsExactly("a,b", "c\"d", "e\\f");
    }

    @Test
    void refusesWhatClickHouseArraysCannotHold() {
        assertThatThrownBy(() -> PgArrays.parse("{{1},{2}}")).hasMessageContaining("Multi-dimensional");
        assertThatThrownBy(() -> PgArrays.parse("[0:1]={1,2}")).hasMessageContaining("one-dimensional");
    }
}
