package dev.walflow.sink.txn;

import dev.walflow.model.Position;

import java.util.Objects;

/**
 * A transaction a sink subtask has prepared for a checkpoint: its global id on the target, and
 * the last position it wrote (its {@code walflow.progress} row says the same once committed).
 */
public final class PreparedTransaction {

    private final String gid;
    private final String job;
    private final int subtask;
    private final Position position;
    /** Source commit time (epoch micros) of its oldest change, 0 when unknown: for the latency metric. */
    private final long oldestCommitMicros;

    public PreparedTransaction(String gid, String job, int subtask, Position position) {
        this(gid, job, subtask, position, 0);
    }

    public PreparedTransaction(String gid, String job, int subtask, Position position, long oldestCommitMicros) {
        this.gid = Objects.requireNonNull(gid, "gid must not be null");
        this.job = job;
        this.subtask = subtask;
        this.position = position;
        this.oldestCommitMicros = oldestCommitMicros;
    }

    public long oldestCommitMicros() {
        return oldestCommitMicros;
    }

    public String gid() {
        return gid;
    }

    public String job() {
        return job;
    }

    public int subtask() {
        return subtask;
    }

    public Position position() {
        return position;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreparedTransaction && ((PreparedTransaction) o).gid.equals(gid);
    }

    @Override
    public int hashCode() {
        return gid.hashCode();
    }

    @Override
    public String toString() {
        return gid + "@" + position;
    }
}
