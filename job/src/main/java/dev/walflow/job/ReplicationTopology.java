package dev.walflow.job;

import dev.walflow.model.ChangeEvent;
import dev.walflow.route.ChangeRoutingFunction;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;

/**
 * The job's graph: the CDC source (its readers share the snapshot's chunks; the WAL, one stream
 * per slot, is read by one of them), routing by (table, primary key), the PostgreSQL sink, and
 * change_history (fed before routing, which copies TRUNCATEs).
 * Source and sinks are arguments so tests can swap them; a null history sink leaves it out, and
 * so does a null ClickHouse sink. ClickHouse gets the routed stream too (same parallelism, so a
 * TRUNCATE reaches each of its subtasks), made complete by keyed state first.
 */
public final class ReplicationTopology {

    private ReplicationTopology() {}

    public static DataStream<ChangeEvent> build(
            StreamExecutionEnvironment env,
            Source<ChangeEvent, ?, ?> source,
            int sourceParallelism,
            MapFunction<ChangeEvent, ChangeEvent> sourceHeartbeat,
            MapFunction<ChangeEvent, ChangeEvent> toastCompletion,
            Sink<ChangeEvent> postgresSink,
            int sinkParallelism,
            Sink<ChangeEvent> historySink,
            KeyedProcessFunction<String, ChangeEvent, ChangeEvent> completeRows,
            Sink<ChangeEvent> clickHouseSink) {
        DataStream<ChangeEvent> changes =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), OperatorIds.SOURCE_NAME)
                        .uid(OperatorIds.SOURCE)
                        .setParallelism(sourceParallelism)
                        .map(sourceHeartbeat)
                        .name(OperatorIds.HEARTBEAT_NAME)
                        .uid(OperatorIds.HEARTBEAT)
                        .setParallelism(sourceParallelism)
                        .map(toastCompletion)
                        .name(OperatorIds.TOAST_NAME)
                        .uid(OperatorIds.TOAST)
                        .setParallelism(sourceParallelism);
        if (historySink != null) {
            // One writer keeps change_history's ids in stream order. With several source readers
            // only the snapshot arrives from more than one of them (its rows have no order to keep).
            changes.sinkTo(historySink)
                    .name(OperatorIds.SINK_HISTORY_NAME)
                    .uid(OperatorIds.SINK_HISTORY)
                    .setParallelism(1);
        }
        DataStream<ChangeEvent> routed =
                changes.flatMap(new ChangeRoutingFunction(sinkParallelism, OperatorIds.SINK_MAX_PARALLELISM))
                        .name(OperatorIds.ROUTE_NAME)
                        .uid(OperatorIds.ROUTE)
                        .setParallelism(sourceParallelism);
        routed.keyBy(e -> e.routeKey)
                .sinkTo(postgresSink)
                .name(OperatorIds.SINK_POSTGRES_NAME)
                .uid(OperatorIds.SINK_POSTGRES)
                .setParallelism(sinkParallelism)
                .setMaxParallelism(OperatorIds.SINK_MAX_PARALLELISM);
        if (clickHouseSink != null) {
            routed.keyBy(e -> e.routeKey)
                    .process(completeRows)
                    .name(OperatorIds.COMPLETE_ROWS_NAME)
                    .uid(OperatorIds.COMPLETE_ROWS)
                    .setParallelism(sinkParallelism)
                    .setMaxParallelism(OperatorIds.SINK_MAX_PARALLELISM)
                    .sinkTo(clickHouseSink)
                    .name(OperatorIds.SINK_CLICKHOUSE_NAME)
                    .uid(OperatorIds.SINK_CLICKHOUSE)
                    .setParallelism(sinkParallelism)
                    .setMaxParallelism(OperatorIds.SINK_MAX_PARALLELISM);
        }
        return routed;
    }
}
