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
    void flattensDimensionsAndDropsBounds() {
        assertThat(PgArrays.parse("{{1,2},{3,NULL}}")).isEqualTo(Arrays.asList("1", "2", "3", null));
        assertThat(PgArrays.parse("[0:1]={5,6}")).containsExactly("5", "6");
        assertThat(PgArrays.parse("[1:1][1:2]={{\"a\",\"b,c\"}}")).containsExactly("a", "b,c");
    }

    @Test
    void refusesWhatIsNoArray() {
        assertThatThrownBy(() -> PgArrays.parse("[0:1]")).hasMessageContaining("Not an array");
        assertThatThrownBy(() -> PgArrays.parse("plain")).hasMessageContaining("Not an array");
        assertThatThrownBy(() -> PgArrays.parse("{\"open}")).hasMessageContaining("Unterminated quote");
    }
}
