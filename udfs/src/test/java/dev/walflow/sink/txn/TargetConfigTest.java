package dev.walflow.sink.txn;

import dev.walflow.sink.DeliveryGuarantee;
import dev.walflow.model.Position;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class TargetConfigTest {

    private static TargetConfig config(String url) {
        return new TargetConfig(url, "u", "pw", 10, 500, Duration.ofSeconds(1), 1, DeliveryGuarantee.EXACTLY_ONCE,
                "job", "walflow", null);
    }

    @Test
    void urlParametersBecomeDriverPropertiesAndLeaveTheUrl() {
        TargetConfig c = config("jdbc:postgresql://h:5432/db?password=s%26cret&sslmode=require");
        assertThat(c.url()).isEqualTo("jdbc:postgresql://h:5432/db");
        assertThat(c.toString()).doesNotContain("cret");
        Properties p = c.connectionProperties();
        assertThat(p.getProperty("password")).as("a URL parameter wins, as in the driver").isEqualTo("s&cret");
        assertThat(p.getProperty("sslmode")).isEqualTo("require");
        assertThat(p.getProperty("user")).isEqualTo("u");
    }

    @Test
    void committablesOfVersionOneStillRead() throws Exception {
        PreparedTransactionSerializer s = new PreparedTransactionSerializer();
        PreparedTransaction t = new PreparedTransaction("walflow:postgres:job:0:1", "job", 0, new Position(5, 6, 7), 42);
        PreparedTransaction back = s.deserialize(s.getVersion(), s.serialize(t));
        assertThat(back.oldestCommitMicros()).isEqualTo(42);
        assertThat(back.position()).isEqualTo(t.position());
        byte[] v2 = s.serialize(t);
        byte[] v1 = java.util.Arrays.copyOf(v2, v2.length - Long.BYTES);
        PreparedTransaction old = s.deserialize(1, v1);
        assertThat(old.gid()).isEqualTo(t.gid());
        assertThat(old.oldestCommitMicros()).isZero();
    }
}
