package dev.walflow.sink.txn;

import dev.walflow.jdbc.Connections;
import dev.walflow.metrics.CommitMetrics;
import org.apache.flink.api.connector.sink2.Committer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Properties;

/**
 * Commits prepared transactions when their checkpoint completes. A transaction already gone is
 * accepted only when the target's {@code walflow.progress} shows its position committed;
 * otherwise its changes were rolled back and are missing, and the job stops saying so instead
 * of going on without them.
 */
public final class PreparedTransactionCommitter implements Committer<PreparedTransaction> {

    private static final Logger LOG = LoggerFactory.getLogger(PreparedTransactionCommitter.class);

    private final String url;
    private final Properties properties;
    private final String schema;
    private final String sink;
    private final CommitMetrics metrics;
    private Connection connection;

    public PreparedTransactionCommitter(String url, Properties properties, String schema, String sink) {
        this(url, properties, schema, sink, null);
    }

    /** @param metrics records each commit, or null */
    public PreparedTransactionCommitter(
            String url, Properties properties, String schema, String sink, CommitMetrics metrics) {
        this.url = url;
        this.properties = properties;
        this.schema = schema;
        this.sink = sink;
        this.metrics = metrics;
    }

    @Override
    public void commit(Collection<CommitRequest<PreparedTransaction>> requests) throws IOException, InterruptedException {
        for (CommitRequest<PreparedTransaction> request : requests) {
            PreparedTransaction t = request.getCommittable();
            try {
                if (connection == null) {
                    connection = Connections.open(url, properties);
                    connection.setAutoCommit(true);
                }
                Transactions.commitPrepared(connection, t.gid());
                if (metrics != null) {
                    metrics.committed(t.oldestCommitMicros());
                }
                LOG.debug("Committed {}", t);
            } catch (SQLException e) {
                if (Transactions.UNDEFINED_OBJECT.equals(e.getSQLState())) {
                    resolveMissing(request, t);
                } else {
                    LOG.warn("Commit of {} on {} failed, retrying: {}", t.gid(), url, e.getMessage());
                    close();
                    request.retryLater();
                }
            }
        }
    }

    private void resolveMissing(CommitRequest<PreparedTransaction> request, PreparedTransaction t) {
        try {
            var committed = Transactions.readProgress(connection, schema, sink, t.job(), t.subtask());
            if (committed != null && committed.compareTo(t.position()) >= 0) {
                request.signalAlreadyCommitted();
                return;
            }
            request.signalFailedWithKnownReason(new IllegalStateException(
                    "Prepared transaction " + t.gid() + " on " + url + " is gone without having been committed"
                            + " (progress " + committed + " < " + t.position() + "): someone rolled it back, so its"
                            + " changes are missing from the target. Drop the target tables and restart the job"
                            + " without state to re-snapshot."));
        } catch (SQLException e) {
            close();
            request.retryLater();
        }
    }

    @Override
    public void close() {
        Connections.closeQuietly(connection);
        connection = null;
    }
}
