package dev.walflow.job.it;

import dev.walflow.job.ReplicationJob;
import dev.walflow.model.ChangeEvent;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.function.UnaryOperator;

/** Builds the production job, but with its sinks wrapped (for failure injection). */
final class TestTopology {

    private TestTopology() {}

    static void build(StreamExecutionEnvironment env, String[] args, UnaryOperator<Sink<ChangeEvent>> wrapper) {
        ReplicationJob.build(env, wrapper, args);
    }

    /** With the ClickHouse sink wrapped too. */
    static void build(
            StreamExecutionEnvironment env,
            String[] args,
            UnaryOperator<Sink<ChangeEvent>> postgresWrapper,
            UnaryOperator<Sink<ChangeEvent>> clickHouseWrapper) {
        ReplicationJob.build(env, postgresWrapper, clickHouseWrapper, args);
    }
}
