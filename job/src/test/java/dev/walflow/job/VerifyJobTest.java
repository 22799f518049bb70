package dev.walflow.job;

import dev.walflow.job.config.InvalidConfigException;
import dev.walflow.job.config.JobConfig;
import dev.walflow.job.config.VerifyOptions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifyJobTest {

    private static final String[] BASE = {
        "--source.url", "jdbc:postgresql://h/s", "--source.username", "u", "--source.tables", "public.t",
        "--sink.postgres.url", "jdbc:postgresql://h/t", "--sink.postgres.username", "u"
    };

    private static JobConfig parse(String... extra) {
        String[] args = new String[BASE.length + extra.length];
        System.arraycopy(BASE, 0, args, 0, BASE.length);
        System.arraycopy(extra, 0, args, BASE.length, extra.length);
        return JobConfig.parse(VerifyJob.withFlags(args), Map.of());
    }

    @Test
    void bareRepairFlagTurnsRepairOn() {
        assertThat(parse().get(VerifyOptions.REPAIR)).isFalse();
        assertThat(parse("--repair").get(VerifyOptions.REPAIR)).isTrue();
        assertThat(parse("--repair", "--verify.range-rows", "10").get(VerifyOptions.REPAIR)).isTrue();
        assertThat(parse("--repair", "false").get(VerifyOptions.REPAIR)).isFalse();
    }

    @Test
    void badVerifyOptionsNameTheParameter() {
        assertThatThrownBy(() -> parse("--verify.range-rows", "0"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("verify.range-rows");
        assertThatThrownBy(() -> parse("--verify.lag-timeout", "0s"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("verify.lag-timeout");
        assertThatThrownBy(() -> parse("--verify.parallelism", "-1"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("verify.parallelism");
    }
}
