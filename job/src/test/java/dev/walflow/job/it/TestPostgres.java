package dev.walflow.job.it;

import dev.walflow.testkit.PostgresServer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL for the whole test run, stopped when the run ends (JUnit's root
 * store closes it). Test classes get their own databases and slots from it.
 */
public final class TestPostgres implements BeforeAllCallback {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile PostgresServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(
                        TestPostgres.class,
                        k -> {
                            server = PostgresServer.start();
                            return (ExtensionContext.Store.CloseableResource) () -> server.close();
                        });
    }

    public static PostgresServer server() {
        if (server == null) {
            throw new IllegalStateException("Annotate the test class with @ExtendWith(TestPostgres.class)");
        }
        return server;
    }

    /** A fresh, uniquely named database. */
    public static String newDatabase(String prefix) {
        String name = prefix + "_" + COUNTER.incrementAndGet();
        server().createDatabase(name);
        return name;
    }
}
