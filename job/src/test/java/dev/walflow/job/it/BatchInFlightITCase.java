package dev.walflow.job.it;

import dev.walflow.sink.DeliveryGuarantee;
import dev.walflow.sink.txn.PreparedTransaction;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.sink.txn.Transactions;
import dev.walflow.sink.txn.TransactionalWriter;
import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.JobInfoImpl;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.UserCodeClassLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sink writer's batch in flight, pinned without a Flink job: a batch held on its writer
 * thread by a latch lets each test show what must wait for it. If the barrier did not wait, it
 * would prepare the transaction before the batch's rows were in it, and those rows would be
 * lost with the next transaction.
 */
@ExtendWith(TestPostgres.class)
class BatchInFlightITCase {

    private String database;
    private final ExecutorService caller = Executors.newSingleThreadExecutor();
    private LatchedWriter writer;

    @BeforeEach
    void createTarget() throws Exception {
        database = TestPostgres.newDatabase("inflight");
        try (Connection c = TestPostgres.server().connect(database)) {
            SqlRunner.execute(c, "CREATE SCHEMA walflow");
            SqlRunner.execute(c, Transactions.createProgressTableSql("walflow"));
            SqlRunner.execute(c, "CREATE TABLE written (seq serial PRIMARY KEY, id int NOT NULL UNIQUE)");
        }
    }

    @AfterEach
    void close() {
        caller.shutdownNow();
        if (writer != null) {
            writer.release(); // a failed assertion must not leave close() waiting for a held batch
            writer.close();
        }
    }

    @Test
    void theBarrierPreparesOnlyAfterTheBatchInFlightIsWritten() throws Exception {
        writer = new LatchedWriter(config(DeliveryGuarantee.EXACTLY_ONCE));
        writer.hold();
        writer.write(1, null);
        assertThat(writer.started.await(30, TimeUnit.SECONDS)).as("the batch reached its writer thread").isTrue();

        Future<Collection<PreparedTransaction>> prepared = caller.submit(() -> writer.prepareCommit());
        Thread.sleep(300);
        assertThat(prepared).as("the barrier, while the batch is held").isNotDone();

        writer.release();
        Collection<PreparedTransaction> transactions = prepared.get(30, TimeUnit.SECONDS);
        assertThat(transactions).hasSize(1);
        try (Connection c = TestPostgres.server().connect(database)) {
            assertThat(SqlRunner.queryLong(c, "SELECT count(*) FROM written")).as("rows before COMMIT PREPARED").isZero();
            Transactions.commitPrepared(c, transactions.iterator().next().gid());
            assertThat(ids(c)).as("rows of the committed transaction").containsExactly(1);
        }
    }

    @Test
    void aSecondFullBatchWaitsForTheFirstAndBatchesKeepStreamOrder() throws Exception {
        writer = new LatchedWriter(config(DeliveryGuarantee.AT_LEAST_ONCE));
        writer.hold();
        writer.write(1, null);
        assertThat(writer.started.await(30, TimeUnit.SECONDS)).isTrue();

        // The next change fills a batch while one is in flight: backpressure, not a queue.
        Future<?> second = caller.submit(() -> {
            writer.write(2, null);
            return null;
        });
        Thread.sleep(300);
        assertThat(second).as("the write that fills a batch while one is in flight").isNotDone();

        writer.release();
        second.get(30, TimeUnit.SECONDS);
        for (int id = 3; id <= 50; id++) {
            writer.write(id, null);
        }
        writer.flush(false);
        try (Connection c = TestPostgres.server().connect(database)) {
            List<Integer> expected = new ArrayList<>();
            for (int id = 1; id <= 50; id++) {
                expected.add(id);
            }
            assertThat(ids(c)).as("ids in the order they were written").isEqualTo(expected);
        }
    }

    @Test
    void aFailedBatchFailsTheNextCallAndNothingOfItIsCommitted() throws Exception {
        writer = new LatchedWriter(config(DeliveryGuarantee.EXACTLY_ONCE));
        writer.write(1, null);
        writer.write(1, null);
        // The duplicate fails its batch on the writer thread; the barrier reports it.
        assertThatThrownBy(() -> writer.prepareCommit())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("written_id_key");
        try (Connection c = TestPostgres.server().connect(database)) {
            assertThat(SqlRunner.queryLong(c, "SELECT count(*) FROM written")).isZero();
            assertThat(Transactions.prepared(c, Transactions.gidPrefix("latched", "inflight-job", 0))).isEmpty();
        }
    }

    private static List<Integer> ids(Connection c) {
        return SqlRunner.rows(c, "SELECT id FROM written ORDER BY seq").stream()
                .map(row -> Integer.valueOf(row.get(0)))
                .toList();
    }

    private TargetConfig config(DeliveryGuarantee guarantee) {
        PostgresServer server = TestPostgres.server();
        // One change per batch, so every write hands a batch to the writer thread; no retries,
        // so a failed batch is reported at once.
        return new TargetConfig(server.jdbcUrl(database), PostgresServer.USER, PostgresServer.PASSWORD,
                1, 1000, Duration.ofHours(1), 0, guarantee, "inflight-job", "walflow", null);
    }

    /**
     * Writes ids into {@code written}; after {@link #hold()}, batches wait for {@link #release()}
     * (those taken after it pass the opened latch at once).
     */
    private static final class LatchedWriter extends TransactionalWriter<Integer> {
        final CountDownLatch started = new CountDownLatch(1);
        private volatile CountDownLatch holding;
        private List<Integer> buffered = new ArrayList<>();

        LatchedWriter(TargetConfig config) throws IOException {
            super(config, "latched", new InitContext(), List.of());
        }

        void hold() {
            holding = new CountDownLatch(1);
        }

        void release() {
            if (holding != null) {
                holding.countDown();
            }
        }

        @Override
        protected int buffer(Integer id) {
            buffered.add(id);
            return 1;
        }

        @Override
        protected Work<Integer> takeBuffered() {
            List<Integer> batch = buffered;
            buffered = new ArrayList<>();
            CountDownLatch held = holding;
            return (connection, statements) -> {
                started.countDown();
                if (held != null) {
                    try {
                        held.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SQLException("interrupted while held", e);
                    }
                }
                try (PreparedStatement ps = connection.prepareStatement("INSERT INTO written (id) VALUES (?)")) {
                    for (int id : batch) {
                        ps.setInt(1, id);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return batch.size();
            };
        }
    }

    /** What the writer asks of its task: one subtask, metrics that go nowhere, timers that never fire. */
    private static final class InitContext implements WriterInitContext {
        private final JobID jobId = new JobID();

        @Override
        public ProcessingTimeService getProcessingTimeService() {
            return new ProcessingTimeService() {
                @Override
                public long getCurrentProcessingTime() {
                    return System.currentTimeMillis();
                }

                @Override
                public java.util.concurrent.ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback callback) {
                    // Batches here are full after one change or flushed by the test's barrier.
                    return null;
                }
            };
        }

        @Override
        public SinkWriterMetricGroup metricGroup() {
            return UnregisteredMetricsGroup.createSinkWriterMetricGroup();
        }

        @Override
        public TaskInfo getTaskInfo() {
            return new TaskInfoImpl("latched writer", 128, 0, 1, 0);
        }

        @Override
        public JobInfo getJobInfo() {
            return new JobInfoImpl(jobId, "inflight-job");
        }

        @Override
        public OptionalLong getRestoredCheckpointId() {
            return OptionalLong.empty();
        }

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            throw new UnsupportedOperationException();
        }

        @Override
        public MailboxExecutor getMailboxExecutor() {
            throw new UnsupportedOperationException();
        }

        @Override
        public SerializationSchema.InitializationContext asSerializationSchemaInitializationContext() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isObjectReuseEnabled() {
            return false;
        }

        @Override
        public <IN> TypeSerializer<IN> createInputSerializer() {
            throw new UnsupportedOperationException();
        }
    }
}
