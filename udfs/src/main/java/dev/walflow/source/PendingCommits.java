package dev.walflow.source;

import dev.walflow.jdbc.Connections;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.sink.txn.Transactions;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The prepared transactions a job's exactly-once sinks still have to commit, read from each
 * target's {@code pg_prepared_xacts}. A transaction is prepared before its checkpoint can
 * complete and leaves that view only when committed (or rolled back by a recovery), which is
 * what lets the source tell when a completed checkpoint's data is visible in every target.
 */
public final class PendingCommits implements PreparedTransactions {

    private static final long serialVersionUID = 1L;

    private final List<Target> targets = new ArrayList<>();

    /** Adds the transactions sink {@code sinkName} prepares on {@code target}. */
    public PendingCommits add(TargetConfig target, String sinkName) {
        targets.add(new Target(target, Transactions.jobGidPrefix(sinkName, target.jobName())));
        return this;
    }

    public boolean isEmpty() {
        return targets.isEmpty();
    }

    @Override
    public Set<String> read() throws SQLException {
        Set<String> gids = new HashSet<>();
        for (Target t : targets) {
            gids.addAll(t.read());
        }
        return gids;
    }

    @Override
    public void close() {
        targets.forEach(Target::close);
    }

    private static final class Target implements Serializable {
        private static final long serialVersionUID = 1L;

        private final TargetConfig config;
        private final String gidPrefix;
        private transient Connection connection;

        Target(TargetConfig config, String gidPrefix) {
            this.config = config;
            this.gidPrefix = gidPrefix;
        }

        List<String> read() throws SQLException {
            try {
                if (connection == null) {
                    Properties properties = config.connectionProperties();
                    // Runs on the source's task thread: a target that stops answering must not stall it.
                    properties.setProperty("socketTimeout", "30");
                    connection = Connections.open(config.url(), properties);
                }
                return Transactions.prepared(connection, gidPrefix);
            } catch (SQLException e) {
                close();
                throw new SQLException("Cannot read the prepared transactions on " + config.url() + ": " + e.getMessage(), e);
            }
        }

        void close() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // The connection is being discarded either way.
                }
                connection = null;
            }
        }
    }
}
