package dev.walflow.source;

import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.InputStatus;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Which completed checkpoints the gate lets through to Flink CDC (which confirms them to the slot). */
class SafeLsnSourceReaderTest {

    /** Answers each read with the next scripted set; null stands for a failed read. */
    private static final class Scripted implements PreparedTransactions {
        private final Deque<Set<String>> answers = new ArrayDeque<>();

        Scripted then(Set<String> answer) {
            answers.add(answer == null ? Set.of("\u0000failed") : answer);
            return this;
        }

        @Override
        public Set<String> read() throws SQLException {
            Set<String> answer = answers.poll();
            if (answer == null || answer.contains("\u0000failed")) {
                throw new SQLException("target down");
            }
            return answer;
        }

        @Override
        public void close() {}
    }

    /** Records the checkpoints passed on; nothing else is used. */
    private static final class Recording implements SourceReader<String, SourceSplit> {
        final List<Long> confirmed = new ArrayList<>();

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            confirmed.add(checkpointId);
        }

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<String> output) {
            return InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<SourceSplit> snapshotState(long checkpointId) {
            return List.of();
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void addSplits(List<SourceSplit> splits) {}

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void close() {}
    }

    @Test
    void aCheckpointPassesOnceTheTransactionsPreparedAtItsCompletionAreCommitted() throws Exception {
        Recording delegate = new Recording();
        SafeLsnSourceReader<String, SourceSplit> reader = new SafeLsnSourceReader<>(delegate,
                new Scripted().then(Set.of()).then(Set.of("t2")).then(Set.of("t3")));
        reader.notifyCheckpointComplete(1); // nothing prepared: passes at once
        reader.notifyCheckpointComplete(2); // its own transaction t2 is not committed yet
        reader.notifyCheckpointComplete(3); // t2 committed, t3 not
        assertThat(delegate.confirmed).containsExactly(1L, 2L);
    }

    @Test
    void aFailedReadDoesNotHoldTheSlotForever() throws Exception {
        Recording delegate = new Recording();
        // Under steady writes some transaction is always prepared; the gate must still move.
        SafeLsnSourceReader<String, SourceSplit> reader = new SafeLsnSourceReader<>(delegate,
                new Scripted().then(null).then(Set.of("t2")).then(Set.of("t3")).then(Set.of("t4")));
        reader.notifyCheckpointComplete(1); // the read fails: 1 waits
        reader.notifyCheckpointComplete(2);
        assertThat(delegate.confirmed).as("while t2, which 1 may wait for, is prepared").isEmpty();
        reader.notifyCheckpointComplete(3);
        reader.notifyCheckpointComplete(4);
        assertThat(delegate.confirmed).containsExactly(2L, 3L);
    }
}
