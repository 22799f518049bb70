package dev.walflow.model;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeEventSerializerTest {

    private final ChangeEventSerializer serializer = new ChangeEventSerializer();

    @Test
    void flinkUsesItForChangeEvents() {
        TypeInformation<ChangeEvent> info = TypeInformation.of(ChangeEvent.class);
        assertThat(info).isInstanceOf(ChangeEventTypeInfo.class);
        assertThat(info.createSerializer(new org.apache.flink.api.common.ExecutionConfig())).isEqualTo(serializer);
        assertThat(serializer.duplicate()).as("a stateful serializer's duplicate").isNotSameAs(serializer).isEqualTo(serializer);
    }

    /** Every field set, so a field added to ChangeEvent and not to the serializer fails here. */
    @Test
    void everyFieldSurvivesTheRoundTrip() throws Exception {
        ChangeEvent event = new ChangeEvent();
        for (Field f : instanceFields()) {
            f.set(event, sample(f.getType()));
        }
        assertSameFields(roundTrip(event), event);
    }

    @Test
    void nullsEmptyArraysAndUnicodeSurvive() throws Exception {
        ChangeEvent event = new ChangeEvent();
        event.table = "public.tëst";
        event.keyColumns = new String[0];
        event.after = new String[] {null, "", "tab\there", "€ 5", "\u0000walflow:unchanged-toast\u0000", "x".repeat(70_000)};
        assertSameFields(roundTrip(event), event);
        assertSameFields(roundTrip(new ChangeEvent()), new ChangeEvent());
    }

    @Test
    void copiesBetweenViewsAndRestoresFromItsSnapshot() throws Exception {
        ChangeEvent event = new ChangeEvent();
        event.table = "s.t";
        event.op = Operation.DELETE;
        event.before = new String[] {"1"};
        DataOutputSerializer first = new DataOutputSerializer(64);
        serializer.serialize(event, first);
        DataOutputSerializer second = new DataOutputSerializer(64);
        serializer.copy(new DataInputDeserializer(first.getCopyOfBuffer()), second);
        assertThat(second.getCopyOfBuffer()).isEqualTo(first.getCopyOfBuffer());

        TypeSerializerSnapshot<ChangeEvent> snapshot = serializer.snapshotConfiguration();
        DataOutputSerializer written = new DataOutputSerializer(16);
        TypeSerializerSnapshot.writeVersionedSnapshot(written, snapshot);
        TypeSerializerSnapshot<ChangeEvent> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(written.getCopyOfBuffer()), getClass().getClassLoader());
        TypeSerializer<ChangeEvent> restored = read.restoreSerializer();
        assertThat(restored).isEqualTo(serializer);
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs()).isTrue();
    }

    /** Events of two tables in turn: each side's names cache must follow every switch. */
    @Test
    void namesAreSharedWithinATableAndFollowEverySwitch() throws Exception {
        String[] a = {"id", "name"};
        String[] b = {"id", "näme", "extra"};
        String[][] sequence = {a, a, b, a, a.clone(), b, null, b};
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (String[] columns : sequence) {
            ChangeEvent e = new ChangeEvent();
            e.columns = columns;
            e.keyColumns = columns == null ? null : new String[] {columns[0]};
            serializer.serialize(e, out);
        }
        ChangeEventSerializer reader = new ChangeEventSerializer();
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        ChangeEvent[] read = new ChangeEvent[sequence.length];
        for (int i = 0; i < sequence.length; i++) {
            read[i] = reader.deserialize(in);
            assertThat(read[i].columns).as("event " + i).isEqualTo(sequence[i]);
            assertThat(read[i].keyColumns).as("event " + i).isEqualTo(sequence[i] == null ? null : new String[] {sequence[i][0]});
        }
        assertThat(read[1].columns).isSameAs(read[0].columns);
        assertThat(read[4].columns).as("equal names from another array").isSameAs(read[3].columns);
        assertThat(read[2].columns).isNotSameAs(read[0].columns);
    }

    private ChangeEvent roundTrip(ChangeEvent event) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(event, out);
        serializer.serialize(event, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        ChangeEvent first = serializer.deserialize(in);
        assertSameFields(serializer.deserialize(in), first);
        assertThat(in.available()).isZero();
        return first;
    }

    private static Field[] instanceFields() {
        return Arrays.stream(ChangeEvent.class.getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers()))
                .toArray(Field[]::new);
    }

    private static Object sample(Class<?> type) {
        if (type == String.class) {
            return "välue";
        }
        if (type == String[].class) {
            return new String[] {"a", null, "ü"};
        }
        if (type == long.class) {
            return 0x1_0000_0001L;
        }
        if (type == int.class) {
            return -7;
        }
        if (type == Operation.class) {
            return Operation.values()[Operation.values().length - 1];
        }
        if (type == Position.class) {
            return new Position(1, 2, 3);
        }
        throw new AssertionError("ChangeEvent has a field of type " + type + " this test does not know");
    }

    private static void assertSameFields(ChangeEvent actual, ChangeEvent expected) throws Exception {
        for (Field f : instanceFields()) {
            assertThat(f.get(actual)).as(f.getName()).isEqualTo(f.get(expected));
        }
    }
}
