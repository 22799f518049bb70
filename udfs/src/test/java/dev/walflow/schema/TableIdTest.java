package dev.walflow.schema;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableIdTest {

    @Test
    void parsesLikeSql() {
        assertThat(TableId.parse("Public.Orders")).isEqualTo(new TableId("public", "orders"));
        assertThat(TableId.parse("\"Sales\".\"Order.Items\"")).isEqualTo(new TableId("Sales", "Order.Items"));
        assertThat(TableId.parse("orders")).isEqualTo(new TableId("public", "orders"));
        assertThat(TableId.parse("s.\"a\"\"b\"").name()).isEqualTo("a\"b");
        assertThat(new TableId("Sales", "a\"b").quoted()).isEqualTo("\"Sales\".\"a\"\"b\"");
    }

    @Test
    void refusesMalformedNames() {
        assertThatThrownBy(() -> TableId.parse("a.b.c")).hasMessageContaining("a.b.c");
        assertThatThrownBy(() -> TableId.parse("\"open")).hasMessageContaining("Unterminated");
    }
}
