package dev.walflow.job.it;

import dev.walflow.testkit.PostgresServer;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The target server stops for 30 seconds during writes and comes back: the job keeps failing
 * and restarting from its last checkpoint meanwhile, prepared transactions survive the
 * restart, and the end state is exactly once.
 */
@ExtendWith(TestPostgres.class)
class TargetOutageITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    @Test
    void targetDownForThirtySeconds(@TempDir Path targetData) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        AtomicReference<PostgresServer> target =
                new AtomicReference<>(PostgresServer.start(port, targetData, true, Map.of()));
        try {
            target.get().createDatabase("outage_dst");
            try (Pipeline p = new Pipeline(TestPostgres.newDatabase("outage_src"), "outage_dst", "outage_slot")
                    .targetOn(target.get())
                    .param("source.tables", ChangeLedger.TABLE)
                    .param("job.name", "outage")
                    .restartAttempts(100)) {
                ChangeLedger ledger = new ChangeLedger(p);
                ledger.create(200);
                p.start();
                p.awaitTargetEqualsSource(ChangeLedger.TABLE);
                Thread writer = new Thread(() -> {
                    try {
                        ledger.write(400, 100);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                writer.start();
                Thread.sleep(5_000);
                target.get().close();
                Thread.sleep(30_000);
                PostgresServer restarted = PostgresServer.start(port, targetData, true, Map.of());
                target.set(restarted);
                p.targetOn(restarted);
                writer.join();
                ledger.assertExactlyOnce();
            }
        } finally {
            target.get().close();
        }
    }
}
