package dev.walflow.source;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CopyChunkReaderTest {

    @Test
    void literalsAreDollarQuotedAndCast() {
        assertThat(CopyChunkReader.literal(42L, "int8")).isEqualTo("$w$42$w$::int8");
        assertThat(CopyChunkReader.literal("it's $w$ x", "text")).isEqualTo("$w0$it's $w$ x$w0$::text");
        assertThat(CopyChunkReader.literal(new BigDecimal("1E+3"), "numeric")).isEqualTo("$w$1000$w$::numeric");
        assertThatThrownBy(() -> CopyChunkReader.literal(1, "character varying")).hasMessageContaining("character varying");
    }
}
