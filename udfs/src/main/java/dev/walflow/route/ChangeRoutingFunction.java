package dev.walflow.route;

import dev.walflow.model.ChangeEvent;
import dev.walflow.model.Operation;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

import java.util.HashMap;
import java.util.Map;

/**
 * Sets each change's {@link ChangeEvent#routeKey}; copies a TRUNCATE once per sink subtask so
 * every subtask clears its share of the table in stream order.
 */
public final class ChangeRoutingFunction implements FlatMapFunction<ChangeEvent, ChangeEvent> {

    private static final long serialVersionUID = 1L;

    private final int sinkParallelism;
    private final int sinkMaxParallelism;
    private transient Map<String, String[]> truncateKeys;

    public ChangeRoutingFunction(int sinkParallelism, int sinkMaxParallelism) {
        this.sinkParallelism = sinkParallelism;
        this.sinkMaxParallelism = sinkMaxParallelism;
    }

    @Override
    public void flatMap(ChangeEvent event, Collector<ChangeEvent> out) {
        if (event.op != Operation.TRUNCATE) {
            event.routeKey = RouteKeys.of(event);
            out.collect(event);
            return;
        }
        if (truncateKeys == null) {
            truncateKeys = new HashMap<>();
        }
        String[] keys =
                truncateKeys.computeIfAbsent(
                        event.table,
                        t -> RouteKeys.truncateKeys(t, sinkMaxParallelism, sinkParallelism));
        for (String key : keys) {
            ChangeEvent copy = event.copy();
            copy.routeKey = key;
            out.collect(copy);
        }
    }
}
