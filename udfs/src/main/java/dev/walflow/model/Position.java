package dev.walflow.model;

import java.util.Objects;

/**
 * Where a change stands in the source's history; positions order changes totally.
 *
 * <p>{@code lsn} places the change's transaction in commit order and {@code changeLsn} plus
 * {@code ordinal} give the change's index inside it. The transaction's own commit LSN is not
 * delivered with its changes by the Debezium 1.9 decoder inside Flink CDC 3.5 (the BEGIN
 * message's final LSN is dropped), so {@code lsn} is the end LSN of the commit that preceded the
 * transaction in the stream: pgoutput sends whole transactions in commit order, so this orders
 * transactions exactly as their commit LSNs would. A change's own LSN alone is NOT monotonic
 * across interleaved transactions; never order by it alone. Snapshot rows carry {@link
 * #SNAPSHOT}, below every streamed change.
 */
public final class Position implements Comparable<Position> {

    public static final Position SNAPSHOT = new Position(0, 0, 0);

    /** End LSN of the commit preceding this change's transaction in the stream. */
    public long lsn;

    /** The change's own WAL record LSN. */
    public long changeLsn;

    /** Counts changes sharing one WAL record (a key-changing UPDATE, a multi-row COPY). */
    public int ordinal;

    /** For Flink's POJO serializer. */
    public Position() {}

    public Position(long lsn, long changeLsn, int ordinal) {
        this.lsn = lsn;
        this.changeLsn = changeLsn;
        this.ordinal = ordinal;
    }

    @Override
    public int compareTo(Position other) {
        int c = Long.compareUnsigned(lsn, other.lsn);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(changeLsn, other.changeLsn);
        return c != 0 ? c : Integer.compare(ordinal, other.ordinal);
    }

    /** PostgreSQL's text form of an LSN, e.g. {@code 0/16B3748}. */
    public static String formatLsn(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Position)) {
            return false;
        }
        Position p = (Position) o;
        return lsn == p.lsn && changeLsn == p.changeLsn && ordinal == p.ordinal;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lsn, changeLsn, ordinal);
    }

    @Override
    public String toString() {
        return formatLsn(lsn) + "#" + formatLsn(changeLsn) + "." + ordinal;
    }
}
