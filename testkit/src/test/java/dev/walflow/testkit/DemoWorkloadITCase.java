package dev.walflow.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DemoWorkloadITCase {

    private static PostgresServer postgres;

    @BeforeAll
    static void startPostgres() {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void seedingIsRepeatable() throws Exception {
        assertThat(seededChecksum("seed_a")).isEqualTo(seededChecksum("seed_b"));
    }

    @Test
    void writesAtItsRateAndSurvivesLostConnections() throws Exception {
        postgres.createDatabase("workload");
        try (Connection c = postgres.connect("workload")) {
            DemoSchema.create(c);
            DemoSchema.seed(c, 50, 20, 100, 1L);
        }
        try (DemoWorkload workload =
                        DemoWorkload.start(
                                postgres.jdbcUrl("workload"),
                                PostgresServer.USER,
                                PostgresServer.PASSWORD,
                                100);
                Connection admin = postgres.connect("workload")) {
            awaitAtLeast(workload::transactionsCommitted, 50);

            SqlRunner.execute(
                    admin,
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            + " WHERE application_name = 'walflow-demo-workload'");
            long before = workload.transactionsCommitted();
            awaitAtLeast(workload::transactionsCommitted, before + 50);

            assertThat(workload.failures()).isGreaterThanOrEqualTo(1);
            assertThat(workload.changesWritten()).isGreaterThan(workload.transactionsCommitted() / 2);
            workload.close();
            long orders = SqlRunner.queryLong(admin, "SELECT count(*) FROM public.orders");
            long orphans =
                    SqlRunner.queryLong(
                            admin,
                            "SELECT count(*) FROM public.orders o"
                                    + " WHERE NOT EXISTS (SELECT 1 FROM public.order_items i"
                                    + " WHERE i.order_id = o.id)");
            assertThat(orders).isGreaterThan(100);
            assertThat(orphans).as("orders without items").isZero();
        }
    }

    private static List<List<String>> seededChecksum(String database) throws Exception {
        postgres.createDatabase(database);
        try (Connection c = postgres.connect(database)) {
            DemoSchema.create(c);
            DemoSchema.seed(c, 100, 30, 200, 9L);
            return SqlRunner.rows(
                    c,
                    "SELECT (SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM public.customers t),"
                            + " (SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM public.products t),"
                            + " (SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM public.orders t),"
                            + " (SELECT md5(string_agg(t::text, '|' ORDER BY order_id, line_no))"
                            + "   FROM public.order_items t),"
                            + " (SELECT count(*) FROM public.order_items)");
        }
    }

    private static void awaitAtLeast(LongSupplier value, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (value.getAsLong() < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "Expected at least " + expected + " within 60 s, got " + value.getAsLong());
            }
            Thread.sleep(50);
        }
    }
}
