package dev.walflow.source;

import dev.walflow.model.Position;

import java.util.HashMap;
import java.util.Map;

/**
 * The stream offsets walflow checkpoints, written so that a restore loses no change.
 *
 * <p>On restore, Debezium 1.9 (inside Flink CDC 3.5) looks for the message whose LSN equals the
 * offset's {@code lsn_proc} and resumes after it. An LSN does not name one message, so this
 * skips changes that were never emitted:
 * <ul>
 *   <li>a COMMIT's LSN is the end of its record, which is where the next transaction's BEGIN
 *       and first change start: resuming after the COMMIT skips that first change (DBZ-6204,
 *       fixed in Debezium 2.2);</li>
 *   <li>the rows of one multi-row WAL record (COPY) share its LSN: resuming after the first
 *       skips the others (debezium/dbz#1554).</li>
 * </ul>
 * So walflow writes its own resume points, none of which asks Debezium to find a message by
 * its LSN:
 * <ul>
 *   <li>after a row change, {@code lsn_commit} is the commit before the change's transaction
 *       and {@code lsn_proc} one byte below it, an LSN no message has. Debezium then streams
 *       from there, finds the first transaction that commits after {@code lsn_commit}, this
 *       one, and replays it from its BEGIN; {@link #ORDINAL} with {@code lsn} and {@code
 *       lsn_commit} records the {@link Position} up to which it was already emitted, and the
 *       emitter drops the replayed changes up to there;</li>
 *   <li>at a COMMIT (a heartbeat after it), neither is kept: Debezium then resumes with the
 *       first message PostgreSQL sends from {@code lsn}, the COMMIT's end, and PostgreSQL sends
 *       exactly the transactions that commit after it. No later commit has to be waited for,
 *       so a quiet database resumes at once;</li>
 *   <li>a logical-decoding message's offset (walflow's heartbeat) is kept as Debezium wrote it:
 *       it names the start of the message's own record, which no other message shares.</li>
 * </ul>
 * {@code lsn}, the LSN confirmed to the slot, is never changed.
 */
final class ResumeOffsets {

    static final String LSN = "lsn";
    static final String PROCESSED = "lsn_proc";
    static final String COMMIT = "lsn_commit";
    /** walflow's own key; Flink CDC reads every offset value as a long. */
    static final String ORDINAL = "walflow_ordinal";

    private ResumeOffsets() {}

    /** The offset after a streamed row change at {@code position}. */
    static Map<String, String> afterChange(Map<String, ?> offset, Position position) {
        Map<String, String> resumable = strings(offset);
        resumable.put(COMMIT, Long.toString(position.lsn));
        resumable.put(PROCESSED, Long.toString(position.lsn - 1));
        resumable.put(ORDINAL, Integer.toString(position.ordinal));
        return resumable;
    }

    /**
     * The offset after a heartbeat, or null when the split's {@code current} offset must stand:
     * inside a transaction (the last row change's offset says more), or still at the
     * logical-decoding message {@code current} names. Otherwise the heartbeat stands at a
     * COMMIT, where Debezium puts {@code lsn}, {@code lsn_proc} and {@code lsn_commit} all at the
     * COMMIT's end. (A message's offset looks the same; it is the one {@code current} holds.)
     */
    static Map<String, String> afterHeartbeat(Map<String, ?> offset, Map<String, String> current) {
        String processed = string(offset.get(PROCESSED));
        String commit = string(offset.get(COMMIT));
        if (processed == null || !processed.equals(commit)) {
            return null;
        }
        if (current != null && commit.equals(current.get(COMMIT)) && commit.equals(current.get(PROCESSED))) {
            return null;
        }
        Map<String, String> resumable = strings(offset);
        resumable.put(LSN, commit);
        resumable.remove(PROCESSED);
        resumable.remove(COMMIT);
        return resumable;
    }

    /** The position up to which the offset's transaction was emitted, or null if it names none. */
    static Position emittedThrough(Map<String, String> offset) {
        String ordinal = offset.get(ORDINAL);
        String commit = offset.get(COMMIT);
        String lsn = offset.get(LSN);
        if (ordinal == null || commit == null || lsn == null) {
            return null;
        }
        return new Position(Long.parseLong(commit), Long.parseLong(lsn), Integer.parseInt(ordinal));
    }

    private static String string(Object value) {
        return value == null ? null : value.toString();
    }

    private static Map<String, String> strings(Map<String, ?> offset) {
        Map<String, String> copy = new HashMap<>();
        offset.forEach((k, v) -> copy.put(k, v == null ? null : v.toString()));
        return copy;
    }
}
