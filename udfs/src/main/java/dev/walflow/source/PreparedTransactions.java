package dev.walflow.source;

import java.io.Serializable;
import java.sql.SQLException;
import java.util.Set;

/** Reads which of the job's transactions are prepared and not yet committed, on its targets. */
public interface PreparedTransactions extends Serializable, AutoCloseable {

    /** The names of every such transaction, now. */
    Set<String> read() throws SQLException;

    @Override
    void close();
}
