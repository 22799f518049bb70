package dev.walflow.sink.clickhouse;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Stores pending batches in checkpoints. */
final class ClickHouseBatchSerializer implements SimpleVersionedSerializer<ClickHouseBatch> {

    @Override
    public int getVersion() {
        return 1;
    }

    @Override
    public byte[] serialize(ClickHouseBatch batch) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64 + batch.values.length());
        writeString(out, batch.table);
        out.writeInt(batch.columns.length);
        for (String column : batch.columns) {
            writeString(out, column);
        }
        writeString(out, batch.values);
        out.writeInt(batch.rows);
        writeString(out, batch.token);
        out.writeLong(batch.truncateBelow);
        return out.getCopyOfBuffer();
    }

    @Override
    public ClickHouseBatch deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1) {
            throw new IOException("Unknown version " + version + " of a ClickHouse batch in the checkpoint");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        String table = readString(in);
        String[] columns = new String[in.readInt()];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = readString(in);
        }
        String values = readString(in);
        int rows = in.readInt();
        String token = readString(in);
        long truncateBelow = in.readLong();
        return new ClickHouseBatch(table, columns, values, rows, token, truncateBelow);
    }

    // writeUTF stops at 64 KB; a batch's values are megabytes.
    private static void writeString(DataOutputSerializer out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputDeserializer in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
