package dev.walflow.model;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Flink's serializer for {@link ChangeEvent} between tasks: strings as UTF-8 bytes behind a
 * varint length, every field in a fixed order.
 *
 * <p>Why not Flink's POJO serializer: it writes each string one char at a time and sets every
 * field by reflection; on the sink side that, and the char buffer Flink's string reader keeps
 * per thread, took over half the sink thread during a snapshot (BENCHMARKS.md). UTF-8 encoding
 * and decoding of the mostly-ASCII values walflow carries are bulk copies in the JDK.
 *
 * <p>ChangeEvent is never kept in state, so the format only has to match between the tasks of
 * one job; the snapshot still has a version for the day it is.
 */
public final class ChangeEventSerializer extends TypeSerializerSingleton<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    public static final ChangeEventSerializer INSTANCE = new ChangeEventSerializer();

    private static final Operation[] OPERATIONS = Operation.values();

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
        writeStrings(e.columns, out);
        writeStrings(e.keyColumns, out);
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
        e.columns = readStrings(in);
        e.keyColumns = readStrings(in);
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

    /** Snapshot of the (stateless) serializer. */
    public static final class ChangeEventSerializerSnapshot extends SimpleTypeSerializerSnapshot<ChangeEvent> {
        public ChangeEventSerializerSnapshot() {
            super(() -> INSTANCE);
        }
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
