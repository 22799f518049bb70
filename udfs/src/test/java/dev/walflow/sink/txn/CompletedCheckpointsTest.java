package dev.walflow.sink.txn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CompletedCheckpointsTest {

    private static void checkpoint(Path dir, String job, int id, boolean complete) throws Exception {
        Path chk = Files.createDirectories(dir.resolve(job).resolve("chk-" + id));
        if (complete) {
            Files.writeString(chk.resolve("_metadata"), "m");
        }
    }

    @Test
    void newestCompletedAmongTheWritersOwn(@TempDir Path dir) throws Exception {
        checkpoint(dir, "job1", 3, true);
        checkpoint(dir, "job1", 5, false); // in flight or aborted: no _metadata yet
        checkpoint(dir, "job1", 900, true); // an earlier run under the same job id
        String uri = dir.toUri().toString();
        assertThat(CompletedCheckpoints.latest(uri, "job1", id -> id < 100)).isEqualTo(3);
        assertThat(CompletedCheckpoints.latest(uri, "job1", id -> true)).isEqualTo(900);
        assertThat(CompletedCheckpoints.latest(uri, "job2", id -> true)).isEqualTo(-1);
        assertThat(CompletedCheckpoints.latest(null, "job1", id -> true)).isEqualTo(-1);
    }
}
