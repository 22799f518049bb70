package dev.walflow.job.it;

import dev.walflow.testkit.ClickHouseServer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One ClickHouse for the whole test run: the server {@code CLICKHOUSE_TEST_URL} names, or the
 * test front end over chdb, stopped when the run ends.
 */
public final class TestClickHouse implements BeforeAllCallback {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile ClickHouseServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(
                        TestClickHouse.class,
                        k -> {
                            server = ClickHouseServer.start();
                            return (ExtensionContext.Store.CloseableResource) () -> server.close();
                        });
    }

    public static ClickHouseServer server() {
        if (server == null) {
            throw new IllegalStateException("Annotate the test class with @ExtendWith(TestClickHouse.class)");
        }
        return server;
    }

    /** A fresh database name (the job creates it). */
    public static String newDatabase(String prefix) {
        String name = prefix + "_" + COUNTER.incrementAndGet();
        server().execute("DROP DATABASE IF EXISTS `" + name + "` SYNC");
        return name;
    }

    /** The rows of a query as TabSeparated lines (NULL as \N). */
    public static List<String> rows(String query) {
        String body = server().execute(query + " FORMAT TabSeparated");
        List<String> lines = new ArrayList<>(Arrays.asList(body.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /** Points a pipeline's ClickHouse sink at {@code database}. */
    public static Pipeline sinkTo(Pipeline p, String database) {
        p.param("sink.clickhouse.url", server().jdbcUrl("default"))
                .param("sink.clickhouse.username", server().user())
                .param("sink.clickhouse.database", database);
        if (!server().password().isEmpty()) {
            p.param("sink.clickhouse.password", server().password());
        }
        return p;
    }
}
