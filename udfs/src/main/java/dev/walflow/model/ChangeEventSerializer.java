package dev.walflow.model;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Flink's serializer for {@link ChangeEvent} between tasks: strings as UTF-8 bytes behind a
 * varint length, every field in a fixed order.
 *
 * <p>Why not Flink's POJO serializer: it writes each string one char at a time and sets every
 * field by reflection; on the sink side that, and the char buffer Flink's string reader keeps
 * per thread, took over half the sink thread during a snapshot (BENCHMARKS.md). UTF-8 encoding
 * and decoding of the mostly-ASCII values walflow carries are bulk copies in the JDK.
 *
 * <p>Column and key-column names, the same for every event of a table version, go as one block
 * of bytes. The last block written is kept with the array it came from, and the last block read
 * with the array it gave: consecutive events of a table then share one names array on each side
 * (no strings decoded, and their hash codes computed once where the sink groups rows by them).
 * That state is why every thread has its own instance ({@link #duplicate}).
 *
 * <p>ChangeEvent is never kept in state, so the format only has to match between the tasks of
 * one job; the snapshot still has a version for the day it is.
 */
public final class ChangeEventSerializer extends TypeSerializer<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    private static final Operation[] OPERATIONS = Operation.values();

    private transient NamesCache columnsCache;
    private transient NamesCache keyColumnsCache;

    /** The last names array written or read, and its encoded block. */
    private static final class NamesCache {
        String[] written;
        byte[] writtenBlock;
        final DataOutputSerializer encoder = new DataOutputSerializer(256);
        byte[] readBlock = new byte[0];
        int readLength = -1;
        String[] read;
        byte[] scratch = new byte[256];
    }

    @Override
    public TypeSerializer<ChangeEvent> duplicate() {
        return new ChangeEventSerializer();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChangeEventSerializer;
    }

    @Override
    public int hashCode() {
        return ChangeEventSerializer.class.hashCode();
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public ChangeEvent createInstance() {
        return new ChangeEvent();
    }

    /** Images and positions are never changed once built, so a copy shares them ({@link ChangeEvent#copy}). */
    @Override
    public ChangeEvent copy(ChangeEvent from) {
        return from.copy();
    }

    @Override
    public ChangeEvent copy(ChangeEvent from, ChangeEvent reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ChangeEvent e, DataOutputView out) throws IOException {
        writeString(e.table, out);
        out.writeByte(e.op == null ? -1 : e.op.ordinal());
        if (e.position == null) {
            out.writeBoolean(false);
        } else {
            out.writeBoolean(true);
            out.writeLong(e.position.lsn);
            out.writeLong(e.position.changeLsn);
            out.writeInt(e.position.ordinal);
        }
        out.writeLong(e.txId);
        out.writeLong(e.commitMicros);
        out.writeInt(e.schemaVersion);
        writeString(e.originClientId, out);
        writeNames(e.columns, columnsCache(), out);
        writeNames(e.keyColumns, keyColumnsCache(), out);
        writeStrings(e.key, out);
        writeStrings(e.before, out);
        writeStrings(e.after, out);
        writeString(e.routeKey, out);
    }

    @Override
    public ChangeEvent deserialize(DataInputView in) throws IOException {
        ChangeEvent e = new ChangeEvent();
        e.table = readString(in);
        byte op = in.readByte();
        e.op = op < 0 ? null : OPERATIONS[op];
        if (in.readBoolean()) {
            e.position = new Position(in.readLong(), in.readLong(), in.readInt());
        }
        e.txId = in.readLong();
        e.commitMicros = in.readLong();
        e.schemaVersion = in.readInt();
        e.originClientId = readString(in);
        e.columns = readNames(in, columnsCache());
        e.keyColumns = readNames(in, keyColumnsCache());
        e.key = readStrings(in);
        e.before = readStrings(in);
        e.after = readStrings(in);
        e.routeKey = readString(in);
        return e;
    }

    @Override
    public ChangeEvent deserialize(ChangeEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<ChangeEvent> snapshotConfiguration() {
        return new ChangeEventSerializerSnapshot();
    }

    /** Snapshot of the serializer, which has no configuration (its caches are per instance). */
    public static final class ChangeEventSerializerSnapshot extends SimpleTypeSerializerSnapshot<ChangeEvent> {
        public ChangeEventSerializerSnapshot() {
            super(ChangeEventSerializer::new);
        }
    }

    private NamesCache columnsCache() {
        if (columnsCache == null) {
            columnsCache = new NamesCache();
        }
        return columnsCache;
    }

    private NamesCache keyColumnsCache() {
        if (keyColumnsCache == null) {
            keyColumnsCache = new NamesCache();
        }
        return keyColumnsCache;
    }

    /** A names array as a length-prefixed block holding {@link #writeStrings}' encoding. */
    private static void writeNames(String[] names, NamesCache cache, DataOutputView out) throws IOException {
        if (names == null) {
            writeVarInt(0, out);
            return;
        }
        if (names != cache.written) {
            cache.encoder.clear();
            writeStrings(names, cache.encoder);
            cache.writtenBlock = cache.encoder.getCopyOfBuffer();
            cache.written = names;
        }
        writeVarInt(cache.writtenBlock.length + 1, out);
        out.write(cache.writtenBlock);
    }

    private static String[] readNames(DataInputView in, NamesCache cache) throws IOException {
        int length = readVarInt(in) - 1;
        if (length < 0) {
            return null;
        }
        if (cache.scratch.length < length) {
            cache.scratch = new byte[Math.max(length, cache.scratch.length * 2)];
        }
        in.readFully(cache.scratch, 0, length);
        if (length != cache.readLength || !Arrays.equals(cache.scratch, 0, length, cache.readBlock, 0, length)) {
            cache.read = readStrings(new DataInputDeserializer(cache.scratch, 0, length));
            cache.readBlock = Arrays.copyOf(cache.scratch, length);
            cache.readLength = length;
        }
        return cache.read;
    }

    private static void writeStrings(String[] values, DataOutputView out) throws IOException {
        if (values == null) {
            writeVarInt(0, out);
            return;
        }
        writeVarInt(values.length + 1, out);
        for (String v : values) {
            writeString(v, out);
        }
    }

    private static String[] readStrings(DataInputView in) throws IOException {
        int n = readVarInt(in) - 1;
        if (n < 0) {
            return null;
        }
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            values[i] = readString(in);
        }
        return values;
    }

    private static void writeString(String s, DataOutputView out) throws IOException {
        if (s == null) {
            writeVarInt(0, out);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(bytes.length + 1, out);
        out.write(bytes);
    }

    private static String readString(DataInputView in) throws IOException {
        int n = readVarInt(in) - 1;
        if (n < 0) {
            return null;
        }
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeVarInt(int v, DataOutputView out) throws IOException {
        while ((v & ~0x7F) != 0) {
            out.writeByte((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    private static int readVarInt(DataInputView in) throws IOException {
        int v = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in.readByte();
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
    }
}
