package dev.walflow.sink.clickhouse;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import dev.walflow.model.Position;
import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import dev.walflow.source.SourceRowLookup;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompleteRowFunctionTest {

    private static final TableInfo DOCS = new TableInfo(
            new TableId("public", "docs"),
            List.of(
                    new ColumnInfo("id", "integer", "pg_catalog.int4", "int4", true, true, false),
                    new ColumnInfo("title", "text", "pg_catalog.text", "text", false, true, true),
                    new ColumnInfo("body", "text", "pg_catalog.text", "text", false, true, true)),
            List.of("id"),
            TableInfo.ReplicaIdentity.DEFAULT);

    private static ChangeEvent change(Operation op, long lsn, String... after) {
        ChangeEvent e = new ChangeEvent();
        e.table = "public.docs";
        e.op = op;
        e.position = new Position(lsn, lsn, 0);
        e.columns = new String[] {"id", "title", "body"};
        e.keyColumns = new String[] {"id"};
        e.key = new String[] {"1"};
        e.after = after;
        e.routeKey = "public.docs|1";
        return e;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ChangeEvent, ChangeEvent> harness() throws Exception {
        // Nothing listens there: a lookup fails, which shows when the state could not help.
        SourceRowLookup lookup = new SourceRowLookup("jdbc:postgresql://127.0.0.1:1/none", new Properties());
        KeyedOneInputStreamOperatorTestHarness<String, ChangeEvent, ChangeEvent> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new CompleteRowFunction(List.of(DOCS), null, lookup)), e -> e.routeKey, Types.STRING);
        h.open();
        return h;
    }

    private static final String LONG_BODY = "x".repeat(CompleteRowFunction.MIN_TOASTABLE_ROW_CHARS);

    @Test
    void unchangedToastComesFromTheLastImage() throws Exception {
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(change(Operation.INSERT, 10, "1", "a", LONG_BODY)));
            h.processElement(new StreamRecord<>(change(Operation.UPDATE, 20, "1", "b", ChangeEvent.UNCHANGED_TOAST)));
            h.processElement(new StreamRecord<>(change(Operation.UPDATE, 30, "1", "c", ChangeEvent.UNCHANGED_TOAST)));
            List<ChangeEvent> out = h.extractOutputValues();
            assertThat(out).hasSize(3);
            assertThat(out.get(1).after).containsExactly("1", "b", LONG_BODY);
            assertThat(out.get(2).after).containsExactly("1", "c", LONG_BODY);
        }
    }

    @Test
    void rowsTooSmallToToastKeepNoState() throws Exception {
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(change(Operation.INSERT, 10, "1", "a", "short body")));
            assertThat(h.numKeyedStateEntries()).isZero();
            h.processElement(new StreamRecord<>(change(Operation.UPDATE, 20, "1", "b", LONG_BODY)));
            assertThat(h.numKeyedStateEntries()).isOne();
            h.processElement(new StreamRecord<>(change(Operation.UPDATE, 30, "1", "c", "short again")));
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aDeleteForgetsTheRow() throws Exception {
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(change(Operation.INSERT, 10, "1", "a", LONG_BODY)));
            h.processElement(new StreamRecord<>(change(Operation.DELETE, 20)));
            assertThatThrownBy(() -> h.processElement(
                    new StreamRecord<>(change(Operation.UPDATE, 30, "1", "b", ChangeEvent.UNCHANGED_TOAST))))
                    .hasMessageContaining("from the source");
        }
    }
}
