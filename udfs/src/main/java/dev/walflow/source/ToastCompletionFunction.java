package dev.walflow.source;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import org.apache.flink.api.common.functions.RichMapFunction;

import java.sql.SQLException;
import java.util.Properties;

/**
 * Completes the new row of a primary-key change. PostgreSQL logs an UPDATE that changes the key
 * as the old key plus the new row, and leaves out TOASTed values that did not change; Debezium
 * turns it into a DELETE of the old key and an INSERT of the new one, the INSERT still missing
 * those values. The old row is about to be deleted (possibly by another sink subtask), so the
 * values are read from the source row itself ({@link SourceRowLookup}). A row already deleted
 * at the source keeps its markers (its DELETE follows).
 *
 * <p>Only such INSERTs cost a query; every other change passes untouched.
 */
public final class ToastCompletionFunction extends RichMapFunction<ChangeEvent, ChangeEvent> {

    private static final long serialVersionUID = 1L;

    private final SourceRowLookup lookup;

    public ToastCompletionFunction(String url, Properties connectionProperties) {
        this.lookup = new SourceRowLookup(url, connectionProperties);
    }

    @Override
    public ChangeEvent map(ChangeEvent event) throws SQLException {
        if (event.op != Operation.INSERT || !event.hasUnchangedToast() || event.isKeyless()) {
            return event;
        }
        return lookup.fill(event);
    }

    @Override
    public void close() {
        lookup.close();
    }
}
