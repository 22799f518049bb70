package dev.walflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ErrorMessagesTest {

    @Test
    void listsEachCauseOnceWithoutRepeatingQuotedMessages() {
        IOException root = new IOException("Connection refused");
        IllegalStateException quoting =
                new IllegalStateException("Cannot connect to the source database: Connection refused", root);
        RuntimeException outer = new RuntimeException("Preflight failed", quoting);

        assertThat(ErrorMessages.causeChain(outer))
                .containsExactly(
                        "Preflight failed",
                        "caused by: Cannot connect to the source database: Connection refused");
    }

    @Test
    void namesTheTypeWhenThereIsNoMessage() {
        assertThat(ErrorMessages.causeChain(new RuntimeException("boom", new NullPointerException())))
                .containsExactly("boom", "caused by: java.lang.NullPointerException");
        assertThat(ErrorMessages.causeChain(new NullPointerException()))
                .containsExactly("java.lang.NullPointerException");
    }
}
