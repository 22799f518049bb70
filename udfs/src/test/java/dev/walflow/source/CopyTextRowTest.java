package dev.walflow.source;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CopyTextRowTest {

    private static byte[] row(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void splitsOnTabsAndReadsNulls() {
        assertThat(CopyTextRow.parse(row("1\tplain\t\\N\t\n"), 4)).containsExactly("1", "plain", null, "");
    }

    @Test
    void undoesEveryEscape() {
        assertThat(CopyTextRow.parse(row("a\\tb\\nc\\\\d\\re\\bf\\fg\\vh\t\\\\N\tü€\n"), 3))
                .containsExactly("a\tb\nc\\d\re\bf\fg\u000bh", "\\N", "ü€");
        // Octal and hex escapes are bytes of the UTF-8 text.
        assertThat(CopyTextRow.parse(row("\\303\\274\t\\xc3\\xbc\t\\x4"), 3)).containsExactly("ü", "ü", "\u0004");
    }

    @Test
    void anEscapedTabIsNotASeparator() {
        assertThat(CopyTextRow.parse(row("x\\\ty"), 1)).containsExactly("x\ty");
    }

    @Test
    void refusesAnotherNumberOfValues() {
        assertThatThrownBy(() -> CopyTextRow.parse(row("1\t2\n"), 3)).hasMessageContaining("2 values, expected 3");
        assertThatThrownBy(() -> CopyTextRow.parse(row("1\t2\t3\n"), 2)).hasMessageContaining("more than 2");
    }
}
