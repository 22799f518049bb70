package dev.walflow.job.it;

import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** A task failure in the middle of a stream: the job restarts from its last checkpoint and converges. */
@ExtendWith(TestPostgres.class)
class FailureRecoveryITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    @Test
    void targetEqualsSourceAfterInjectedTaskFailure() throws Exception {
        String source = TestPostgres.newDatabase("failure_src");
        String target = TestPostgres.newDatabase("failure_dst");
        FailingSink.reset();
        try (Pipeline p = new Pipeline(source, target, "failure_slot")) {
            p.sourceSql(
                    "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint, touched int)",
                    "INSERT INTO accounts SELECT g, 1000, 0 FROM generate_series(1, 2000) g");
            p.param("source.tables", "public.accounts").restartAttempts(3);
            p.start(sink -> FailingSink.inWriter(sink, 2_500));
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 400; i++) {
                        p.sourceSql(
                                "UPDATE accounts SET balance = balance - 1, touched = touched + 1 WHERE id % 400 = " + i,
                                "INSERT INTO accounts VALUES (" + (10_000 + i) + ", " + i + ", 0)",
                                "DELETE FROM accounts WHERE id = " + (i * 3 + 1));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            writer.join();
            p.awaitTargetEqualsSource("public.accounts");
            assertThat(FailingSink.FAILED).as("the injected failure happened").isTrue();
        }
    }
}
