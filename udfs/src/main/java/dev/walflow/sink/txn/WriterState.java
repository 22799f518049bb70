package dev.walflow.sink.txn;

import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a transactional writer keeps in a checkpoint: its subtask, the next transaction number,
 * and the prepared transactions that may still await their commit. On restore, every other
 * prepared transaction of this writer belongs to a checkpoint that never completed.
 */
public final class WriterState {

    final int subtask;
    final long nextSequence;
    final List<String> pendingGids;

    public WriterState(int subtask, long nextSequence, List<String> pendingGids) {
        this.subtask = subtask;
        this.nextSequence = nextSequence;
        this.pendingGids = Collections.unmodifiableList(new ArrayList<>(pendingGids));
    }

    /** Serializer of {@link WriterState}. */
    public static final class Serializer implements SimpleVersionedSerializer<WriterState> {

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(WriterState state) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(state.subtask);
                out.writeLong(state.nextSequence);
                out.writeInt(state.pendingGids.size());
                for (String gid : state.pendingGids) {
                    out.writeUTF(gid);
                }
            }
            return bytes.toByteArray();
        }

        @Override
        public WriterState deserialize(int version, byte[] serialized) throws IOException {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                int subtask = in.readInt();
                long next = in.readLong();
                int n = in.readInt();
                List<String> gids = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    gids.add(in.readUTF());
                }
                return new WriterState(subtask, next, gids);
            }
        }
    }
}
