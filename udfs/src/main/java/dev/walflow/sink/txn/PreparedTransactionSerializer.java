package dev.walflow.sink.txn;

import dev.walflow.model.Position;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Serializes committables into checkpoints. */
public final class PreparedTransactionSerializer implements SimpleVersionedSerializer<PreparedTransaction> {

    @Override
    public int getVersion() {
        // 2 adds the oldest change's commit time; version 1 committables read as "unknown".
        return 2;
    }

    @Override
    public byte[] serialize(PreparedTransaction t) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(t.gid());
            out.writeUTF(t.job());
            out.writeInt(t.subtask());
            out.writeLong(t.position().lsn);
            out.writeLong(t.position().changeLsn);
            out.writeInt(t.position().ordinal);
            out.writeLong(t.oldestCommitMicros());
        }
        return bytes.toByteArray();
    }

    @Override
    public PreparedTransaction deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1 && version != 2) {
            throw new IOException("Unknown committable version " + version);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            String gid = in.readUTF();
            String job = in.readUTF();
            int subtask = in.readInt();
            Position position = new Position(in.readLong(), in.readLong(), in.readInt());
            long oldestCommitMicros = version >= 2 ? in.readLong() : 0;
            return new PreparedTransaction(gid, job, subtask, position, oldestCommitMicros);
        }
    }
}
