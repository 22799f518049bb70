package dev.walflow.source;

import dev.walflow.model.Position;
import org.apache.kafka.connect.data.Struct;

/**
 * Places each streamed row change at a {@link Position}, following the stream's transactions
 * to number changes that share one WAL record (a multi-row COPY, a key-changing UPDATE).
 *
 * <p>Stateful: it must see every row change of one stream, in stream order. A replay of a
 * transaction from its start, as after a restore, gives each change the position it had
 * before, provided Debezium restored the same preceding commit LSN (see {@link ResumeOffsets}).
 */
final class StreamPositions {

    private long lastChangeLsn;
    private long lastTxLsn;
    private int ordinal;

    /** @param source the {@code source} struct of a Debezium row change */
    Position next(Struct source) {
        Long lsnValue = source.getInt64("lsn");
        long changeLsn = lsnValue == null ? 0 : lsnValue;
        long txLsn = previousCommitLsn(source.getString("sequence"));
        if (txLsn < 0) {
            // First transaction after a fresh start: no commit seen yet. Every later
            // transaction's commit lies after all of this one's changes, so its own first
            // change LSN orders it correctly.
            txLsn = lastTxLsn > 0 ? lastTxLsn : changeLsn;
        }
        if (changeLsn == lastChangeLsn && txLsn == lastTxLsn) {
            ordinal++;
        } else {
            ordinal = 0;
        }
        lastChangeLsn = changeLsn;
        lastTxLsn = txLsn;
        return new Position(txLsn, changeLsn, ordinal);
    }

    /** First element of Debezium's {@code sequence}, {@code ["<last commit lsn>","<lsn>"]}. */
    static long previousCommitLsn(String sequence) {
        if (sequence == null || sequence.length() < 2) {
            return -1;
        }
        int comma = sequence.indexOf(',');
        String first = (comma < 0 ? sequence.substring(1, sequence.length() - 1) : sequence.substring(1, comma)).trim();
        if (first.equals("null") || first.isEmpty()) {
            return -1;
        }
        return Long.parseLong(first.replace("\"", ""));
    }
}
