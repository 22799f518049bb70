package dev.walflow.route;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RouteKeysTest {

    @Test
    void keyDistinguishesNullFromTextAndColumnBoundaries() {
        assertThat(RouteKeys.of("t", new String[] {"a", null})).isNotEqualTo(RouteKeys.of("t", new String[] {"a", "\u0002"}).replace("\u0002", "x"));
        assertThat(RouteKeys.of("t", new String[] {"ab", "c"})).isNotEqualTo(RouteKeys.of("t", new String[] {"a", "bc"}));
        assertThat(RouteKeys.of("t", new String[0])).isEqualTo("t");
    }

    @Test
    void truncateReachesEverySubtaskExactlyOnce() {
        ChangeRoutingFunction routing = new ChangeRoutingFunction(5, 1024);
        ChangeEvent truncate = new ChangeEvent();
        truncate.table = "public.t";
        truncate.op = Operation.TRUNCATE;
        truncate.key = new String[0];
        List<ChangeEvent> out = new ArrayList<>();
        routing.flatMap(truncate, collector(out));
        Set<Integer> subtasks = new HashSet<>();
        for (ChangeEvent e : out) {
            subtasks.add(RouteKeys.subtaskOf(e.routeKey, 1024, 5));
        }
        assertThat(out).hasSize(5);
        assertThat(subtasks).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    }

    private static Collector<ChangeEvent> collector(List<ChangeEvent> out) {
        return new Collector<>() {
            @Override
            public void collect(ChangeEvent record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };
    }
}
