package dev.walflow.sink.postgres;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import dev.walflow.route.RouteKeys;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PendingChangesTest {

    private static final String[] COLUMNS = {"id", "title", "body"};
    private static final String T = ChangeEvent.UNCHANGED_TOAST;

    private static ChangeEvent change(Operation op, String id, String... after) {
        ChangeEvent e = new ChangeEvent();
        e.table = "public.docs";
        e.op = op;
        e.columns = COLUMNS;
        e.keyColumns = new String[] {"id"};
        e.key = new String[] {id};
        e.after = after.length == 0 ? null : after;
        e.routeKey = RouteKeys.of(e);
        return e;
    }

    private static List<ChangeEvent> keyed(PendingChanges p) {
        List<ChangeEvent> out = new ArrayList<>();
        p.keyed().forEach(out::add);
        return out;
    }

    @Test
    void lastChangeOfARowWins() {
        PendingChanges p = new PendingChanges();
        p.add(change(Operation.INSERT, "1", "1", "a", "x"));
        p.add(change(Operation.DELETE, "1"));
        p.add(change(Operation.INSERT, "1", "1", "b", "y"));
        p.add(change(Operation.INSERT, "2", "2", "c", "z"));
        assertThat(keyed(p)).extracting(e -> e.after[1]).containsExactly("b", "c");
    }

    @Test
    void unchangedToastIsFilledFromAnEarlierChangeInTheBatch() {
        PendingChanges p = new PendingChanges();
        p.add(change(Operation.INSERT, "1", "1", "a", "big"));
        p.add(change(Operation.UPDATE, "1", "1", "b", T));
        ChangeEvent merged = keyed(p).get(0);
        assertThat(merged.after).containsExactly("1", "b", "big");
        assertThat(merged.hasUnchangedToast()).isFalse();
    }

    @Test
    void unchangedToastStaysUnchangedWhenNothingEarlierHasIt() {
        PendingChanges p = new PendingChanges();
        p.add(change(Operation.UPDATE, "1", "1", "a", T));
        p.add(change(Operation.UPDATE, "1", "1", "b", T));
        assertThat(keyed(p).get(0).after).containsExactly("1", "b", T);
    }

    @Test
    void keylessChangesKeepTheirOrder() {
        PendingChanges p = new PendingChanges();
        for (Operation op : List.of(Operation.INSERT, Operation.INSERT, Operation.DELETE)) {
            ChangeEvent e = change(op, "x", "1", "a", "b");
            e.keyColumns = new String[0];
            e.key = new String[0];
            p.add(e);
        }
        assertThat(p.ordered()).extracting(e -> e.op).containsExactly(Operation.INSERT, Operation.INSERT, Operation.DELETE);
        assertThat(p.size()).isEqualTo(3);
    }
}
