package dev.walflow.source;

import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CopyArrayTextTest {

    private static final UnaryOperator<String> AS_IS = v -> v;

    @Test
    void quotesEveryElementAndKeepsNulls() {
        assertThat(CopyArrayText.normalize("{1,NULL,-3}", AS_IS)).isEqualTo("{\"1\",NULL,\"-3\"}");
        assertThat(CopyArrayText.normalize("{}", AS_IS)).isEqualTo("{}");
    }

    @Test
    void readsQuotedElementsAndEscapesThemAgain() {
        assertThat(CopyArrayText.normalize("{\"a b\",\"c,d\",\"q\\\"x\",\"b\\\\s\",\"\",\"NULL\",\"{x}\"}", AS_IS))
                .isEqualTo("{\"a b\",\"c,d\",\"q\\\"x\",\"b\\\\s\",\"\",\"NULL\",\"{x}\"}");
    }

    @Test
    void normalizesEachElementAndNestedArrays() {
        assertThat(CopyArrayText.normalize("{{t,f},{NULL,t}}", v -> "t".equals(v) ? "true" : "false"))
                .isEqualTo("{{\"true\",\"false\"},{NULL,\"true\"}}");
    }

    @Test
    void dropsAnExplicitLowerBound() {
        assertThat(CopyArrayText.normalize("[0:1]={5,6}", AS_IS)).isEqualTo("{\"5\",\"6\"}");
    }

    @Test
    void refusesWhatIsNotAnArray() {
        assertThatThrownBy(() -> CopyArrayText.normalize("5", AS_IS)).hasMessageContaining("Expected '{'");
    }
}
