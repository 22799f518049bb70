package dev.walflow.jdbc;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectionsTest {

    @Test
    void urlWithoutADriverFailsNamingTheUrl() {
        assertThatThrownBy(() -> Connections.open("jdbc:nosuchdb://host/db", new Properties()))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("jdbc:nosuchdb://host/db");
    }
}
