package dev.walflow.testkit;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * A small shop in the source database: customers, products, orders and their items, with a mix
 * of column types (bigserial, numeric, money, uuid, jsonb, text[], timestamp, timestamptz) and a
 * composite key. Used by the local run, the workload and the benchmarks.
 */
public final class DemoSchema {

    /** The demo tables, parents first, as {@code schema.table}. */
    public static final List<String> TABLES =
            List.of("public.customers", "public.products", "public.orders", "public.order_items");

    public static final List<String> DDL =
            List.of(
                    "CREATE TABLE public.customers ("
                            + " id bigserial PRIMARY KEY,"
                            + " name text NOT NULL,"
                            + " email text,"
                            + " created_at timestamptz NOT NULL DEFAULT now(),"
                            + " balance numeric(12,2) NOT NULL DEFAULT 0,"
                            + " tags text[])",
                    // money stays below 1000: Flink CDC's snapshot fails on money values >= 1000.
                    "CREATE TABLE public.products ("
                            + " id integer PRIMARY KEY,"
                            + " sku uuid NOT NULL,"
                            + " title text NOT NULL,"
                            + " price money NOT NULL,"
                            + " attrs jsonb)",
                    "CREATE TABLE public.orders ("
                            + " id bigserial PRIMARY KEY,"
                            + " customer_id bigint NOT NULL REFERENCES public.customers (id),"
                            + " status text NOT NULL,"
                            + " total numeric(12,2) NOT NULL,"
                            + " placed_at timestamp NOT NULL,"
                            + " notes text)",
                    "CREATE TABLE public.order_items ("
                            + " order_id bigint NOT NULL REFERENCES public.orders (id),"
                            + " line_no integer NOT NULL,"
                            + " product_id integer NOT NULL REFERENCES public.products (id),"
                            + " qty integer NOT NULL,"
                            + " unit_price numeric(10,2) NOT NULL,"
                            + " PRIMARY KEY (order_id, line_no))",
                    "CREATE INDEX order_items_product ON public.order_items (product_id)",
                    "CREATE INDEX orders_customer ON public.orders (customer_id)");

    public static final List<String> STATUSES =
            List.of("new", "paid", "packed", "shipped", "delivered", "cancelled");

    static final String[] FIRST_NAMES = {
        "Ada", "Alan", "Barbara", "Claude", "Edsger", "Frances", "Grace", "John", "Ken",
        "Leslie", "Margaret", "Niklaus", "Radia", "Tony", "Zoë", "Åsa"
    };
    static final String[] LAST_NAMES = {
        "Lovelace", "Turing", "Liskov", "Shannon", "Dijkstra", "Allen", "Hopper", "Backus",
        "Thompson", "Lamport", "Hamilton", "Wirth", "Perlman", "Hoare", "O'Brien", "Ström"
    };
    static final String[] TAGS = {"vip", "new", "b2b", "newsletter", "returning", "eu", "us"};
    static final String[] NOUNS = {
        "Lamp", "Chair", "Kettle", "Notebook", "Backpack", "Mug", "Headphones", "Desk", "Pen"
    };
    static final String[] COLOURS = {"red", "black", "white", "oak", "steel", "teal"};

    /** Instants the seeded rows are spread over, fixed so that every run seeds the same data. */
    static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");

    private DemoSchema() {}

    /** Creates the demo tables (the database must not have them yet). */
    public static void create(Connection connection) {
        SqlRunner.execute(connection, DDL.toArray(new String[0]));
    }

    /** Seeds 1,000 customers, 200 products and 2,000 orders with their items. */
    public static void seed(Connection connection) {
        seed(connection, 1_000, 200, 2_000, 42L);
    }

    /**
     * Seeds the tables with rows drawn from a generator with the given seed, so the same
     * arguments give the same rows. Runs in one transaction.
     */
    public static void seed(
            Connection connection, int customers, int products, int orders, long seed) {
        Random random = new Random(seed);
        try {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                insertCustomers(connection, random, customers);
                insertProducts(connection, random, products);
                insertOrders(connection, random, orders, customers, products);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Failed to seed the demo schema (" + customers + " customers, " + products
                            + " products, " + orders + " orders)",
                    e);
        }
    }

    private static void insertCustomers(Connection c, Random random, int count)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO public.customers (name, email, created_at, balance, tags)"
                                + " VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 0; i < count; i++) {
                bindCustomer(c, ps, random, EPOCH.plusSeconds(i * 600L));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Binds name, email, created_at, balance and tags of a new customer. */
    static void bindCustomer(Connection c, PreparedStatement ps, Random random, Instant created)
            throws SQLException {
        String first = pick(random, FIRST_NAMES);
        String last = pick(random, LAST_NAMES);
        ps.setString(1, first + " " + last);
        ps.setString(
                2,
                random.nextInt(10) == 0
                        ? null
                        : (first + "." + last + random.nextInt(10_000)).toLowerCase()
                                + "@example.com");
        ps.setTimestamp(3, Timestamp.from(created));
        ps.setBigDecimal(4, money(random, 5_000));
        int tagCount = random.nextInt(4);
        String[] tags = new String[tagCount];
        for (int t = 0; t < tagCount; t++) {
            tags[t] = pick(random, TAGS);
        }
        ps.setArray(5, tagCount == 0 && random.nextBoolean() ? null : c.createArrayOf("text", tags));
    }

    private static void insertProducts(Connection c, Random random, int count)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO public.products (id, sku, title, price, attrs)"
                                + " VALUES (?, ?, ?, ?::numeric::money, ?::jsonb)")) {
            for (int id = 1; id <= count; id++) {
                String colour = pick(random, COLOURS);
                ps.setInt(1, id);
                ps.setObject(2, new UUID(random.nextLong(), random.nextLong()));
                ps.setString(3, colour + " " + pick(random, NOUNS) + " #" + id);
                // Below 1000: see the note on the products table.
                ps.setBigDecimal(4, BigDecimal.valueOf(100 + random.nextInt(99_800), 2));
                ps.setString(
                        5,
                        random.nextInt(5) == 0
                                ? null
                                : "{\"colour\": \"" + colour + "\", \"weight_g\": "
                                        + (50 + random.nextInt(5_000)) + ", \"fragile\": "
                                        + random.nextBoolean() + "}");
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void insertOrders(
            Connection c, Random random, int count, int customers, int products)
            throws SQLException {
        try (PreparedStatement order =
                        c.prepareStatement(
                                "INSERT INTO public.orders"
                                        + " (customer_id, status, total, placed_at, notes)"
                                        + " VALUES (?, ?, ?, ?, ?)"
                                        + " RETURNING id");
                PreparedStatement item =
                        c.prepareStatement(
                                "INSERT INTO public.order_items"
                                        + " (order_id, line_no, product_id, qty, unit_price)"
                                        + " VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 0; i < count; i++) {
                LocalDateTime placed =
                        LocalDateTime.ofInstant(EPOCH.plusSeconds(i * 300L), ZoneOffset.UTC);
                insertOrder(order, item, random, 1 + random.nextInt(customers), products, placed);
            }
            item.executeBatch();
        }
    }

    /**
     * Inserts one order (statement {@code order} returns its id) and adds its 1 to 5 items to
     * the batch of {@code item}; returns the number of rows written (order plus items).
     */
    static int insertOrder(
            PreparedStatement order,
            PreparedStatement item,
            Random random,
            long customerId,
            int products,
            LocalDateTime placedAt)
            throws SQLException {
        int lines = 1 + random.nextInt(5);
        int[] productIds = new int[lines];
        int[] quantities = new int[lines];
        BigDecimal[] prices = new BigDecimal[lines];
        BigDecimal total = BigDecimal.ZERO.setScale(2);
        for (int l = 0; l < lines; l++) {
            productIds[l] = 1 + random.nextInt(products);
            quantities[l] = 1 + random.nextInt(4);
            prices[l] = money(random, 500);
            total = total.add(prices[l].multiply(BigDecimal.valueOf(quantities[l])));
        }
        order.setLong(1, customerId);
        order.setString(2, STATUSES.get(random.nextInt(3)));
        order.setBigDecimal(3, total);
        order.setTimestamp(4, Timestamp.valueOf(placedAt));
        order.setString(5, random.nextInt(4) == 0 ? "leave at the door, \"please\"" : null);
        long orderId;
        try (var rs = order.executeQuery()) {
            rs.next();
            orderId = rs.getLong(1);
        }
        for (int l = 0; l < lines; l++) {
            item.setLong(1, orderId);
            item.setInt(2, l + 1);
            item.setInt(3, productIds[l]);
            item.setInt(4, quantities[l]);
            item.setBigDecimal(5, prices[l]);
            item.addBatch();
        }
        return 1 + lines;
    }

    /** An amount with two decimals in [0.01, max). */
    static BigDecimal money(Random random, int max) {
        return BigDecimal.valueOf(1 + random.nextInt(max * 100 - 1), 2);
    }

    static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }
}
