package dev.walflow.testkit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a steady mix of transactions into the {@link DemoSchema} tables from a background
 * thread, at a target rate: new orders with their items (one transaction), order status and
 * customer balance updates, new customers, product price changes and occasional deletes of an
 * order with its items. Choices come from a generator with a fixed seed. A failed transaction is
 * logged and the workload goes on with a new connection, so it survives database restarts.
 */
public final class DemoWorkload implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoWorkload.class);

    public static final long DEFAULT_SEED = 7L;

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final Duration WARN_EVERY = Duration.ofSeconds(10);

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final long intervalNanos;
    private final Random random;
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);

    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    private Connection connection;
    private Statements statements;
    private long maxCustomerId;
    private long maxOrderId;
    private int productCount;
    private Instant lastWarning = Instant.MIN;

    private DemoWorkload(
            String jdbcUrl, String user, String password, double transactionsPerSecond, long seed) {
        if (!(transactionsPerSecond > 0)) {
            throw new IllegalArgumentException(
                    "transactionsPerSecond must be positive, was " + transactionsPerSecond);
        }
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.intervalNanos = Math.max(1L, (long) (1_000_000_000L / transactionsPerSecond));
        this.random = new Random(seed);
        this.thread = new Thread(this::run, "demo-workload");
        this.thread.setDaemon(true);
    }

    /** Starts writing into the demo tables of the database at {@code jdbcUrl}. */
    public static DemoWorkload start(
            String jdbcUrl, String user, String password, double transactionsPerSecond) {
        return start(jdbcUrl, user, password, transactionsPerSecond, DEFAULT_SEED);
    }

    public static DemoWorkload start(
            String jdbcUrl, String user, String password, double transactionsPerSecond, long seed) {
        DemoWorkload workload =
                new DemoWorkload(jdbcUrl, user, password, transactionsPerSecond, seed);
        workload.thread.start();
        LOG.info("Demo workload started at {} transactions/s", transactionsPerSecond);
        return workload;
    }

    /** Rows inserted, updated and deleted by committed transactions. */
    public long changesWritten() {
        return changes.get();
    }

    public long transactionsCommitted() {
        return transactions.get();
    }

    /** Transactions that failed (and were rolled back). */
    public long failures() {
        return failures.get();
    }

    /** Stops the workload and waits for its last transaction to end. */
    @Override
    public void close() {
        if (stop.getCount() == 0 && !thread.isAlive()) {
            return;
        }
        stop.countDown();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Demo workload did not stop within 30 s");
        } else {
            LOG.info(
                    "Demo workload stopped: {} transactions, {} changes, {} failures",
                    transactions.get(), changes.get(), failures.get());
        }
    }

    private void run() {
        long next = System.nanoTime();
        int consecutiveFailures = 0;
        while (stop.getCount() > 0) {
            long now = System.nanoTime();
            if (now < next) {
                if (await(next - now)) {
                    break;
                }
                continue;
            }
            // Behind schedule by more than a second (a pause, a slow database): skip ahead
            // instead of bursting to catch up.
            if (now - next > TimeUnit.SECONDS.toNanos(1)) {
                next = now;
            }
            next += intervalNanos;
            try {
                if (connection == null) {
                    open();
                }
                int rows = runTransaction();
                changes.addAndGet(rows);
                transactions.incrementAndGet();
                consecutiveFailures = 0;
            } catch (SQLException | RuntimeException e) {
                failures.incrementAndGet();
                consecutiveFailures++;
                warn(e, consecutiveFailures);
                closeConnection();
                long backoff =
                        Math.min(
                                MAX_BACKOFF.toNanos(),
                                TimeUnit.MILLISECONDS.toNanos(100)
                                        << Math.min(consecutiveFailures - 1, 10));
                if (await(backoff)) {
                    break;
                }
                next = System.nanoTime();
            }
        }
        closeConnection();
    }

    /** Waits, returns true when asked to stop meanwhile. */
    private boolean await(long nanos) {
        try {
            return stop.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void warn(Exception e, int consecutiveFailures) {
        Instant now = Instant.now();
        if (consecutiveFailures == 1 || now.isAfter(lastWarning.plus(WARN_EVERY))) {
            lastWarning = now;
            LOG.warn(
                    "Demo workload transaction failed ({} in a row, {} in all); reconnecting: {}",
                    consecutiveFailures, failures.get(), e.getMessage());
        }
    }

    private void open() throws SQLException {
        connection = DriverManager.getConnection(jdbcUrl, user, password);
        try (Statement s = connection.createStatement()) {
            s.execute("SET application_name = 'walflow-demo-workload'");
            maxCustomerId = queryLong(s, "SELECT coalesce(max(id), 0) FROM public.customers");
            maxOrderId = queryLong(s, "SELECT coalesce(max(id), 0) FROM public.orders");
            productCount = (int) queryLong(s, "SELECT count(*) FROM public.products");
        }
        if (maxCustomerId == 0 || productCount == 0) {
            throw new SQLException("The demo tables have no customers or products: seed them");
        }
        connection.setAutoCommit(false);
        statements = new Statements(connection);
    }

    private static long queryLong(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private int runTransaction() throws SQLException {
        int dice = random.nextInt(100);
        int rows;
        try {
            if (dice < 45) {
                rows = newOrder();
            } else if (dice < 75) {
                rows = changeOrderStatus();
            } else if (dice < 90) {
                rows = changeBalance(randomCustomer(), DemoSchema.money(random, 200), dice % 2 == 0);
            } else if (dice < 94) {
                rows = newCustomer();
            } else if (dice < 97) {
                rows = repriceProduct();
            } else {
                rows = deleteOrder();
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return rows;
    }

    private int newOrder() throws SQLException {
        LocalDateTime now =
                LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        int rows =
                DemoSchema.insertOrder(
                        statements.insertOrder,
                        statements.insertItem,
                        random,
                        randomCustomer(),
                        productCount,
                        now);
        statements.insertItem.executeBatch();
        maxOrderId++;
        return rows;
    }

    /** Moves a recent order on; a paid order also charges its customer. */
    private int changeOrderStatus() throws SQLException {
        long orderId = recentOrder();
        String status = DemoSchema.STATUSES.get(1 + random.nextInt(DemoSchema.STATUSES.size() - 1));
        PreparedStatement ps = statements.updateStatus;
        ps.setString(1, status);
        ps.setLong(2, orderId);
        int rows = 0;
        long customerId = 0;
        BigDecimal total = null;
        try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                rows = 1;
                customerId = rs.getLong(1);
                total = rs.getBigDecimal(2);
            }
        }
        if (rows == 1 && status.equals("paid")) {
            rows += changeBalance(customerId, total, false);
        }
        return rows;
    }

    private int changeBalance(long customerId, BigDecimal amount, boolean credit)
            throws SQLException {
        PreparedStatement ps = statements.updateBalance;
        ps.setBigDecimal(1, credit ? amount : amount.negate());
        ps.setLong(2, customerId);
        return ps.executeUpdate();
    }

    private int newCustomer() throws SQLException {
        DemoSchema.bindCustomer(connection, statements.insertCustomer, random, Instant.now());
        try (ResultSet rs = statements.insertCustomer.executeQuery()) {
            rs.next();
            maxCustomerId = Math.max(maxCustomerId, rs.getLong(1));
        }
        return 1;
    }

    private int repriceProduct() throws SQLException {
        PreparedStatement ps = statements.updateProduct;
        // Below 1000: see the note on the products table.
        ps.setBigDecimal(1, BigDecimal.valueOf(100 + random.nextInt(99_800), 2));
        ps.setInt(2, random.nextInt(500));
        ps.setInt(3, 1 + random.nextInt(productCount));
        return ps.executeUpdate();
    }

    /** Deletes an order and its items; picks the first order at or after a random id. */
    private int deleteOrder() throws SQLException {
        long from = 1 + (long) (random.nextDouble() * maxOrderId);
        long orderId;
        PreparedStatement find = statements.findOrder;
        find.setLong(1, from);
        try (ResultSet rs = find.executeQuery()) {
            if (!rs.next()) {
                return 0;
            }
            orderId = rs.getLong(1);
        }
        statements.deleteItems.setLong(1, orderId);
        int rows = statements.deleteItems.executeUpdate();
        statements.deleteOrder.setLong(1, orderId);
        return rows + statements.deleteOrder.executeUpdate();
    }

    private long randomCustomer() {
        return 1 + (long) (random.nextDouble() * maxCustomerId);
    }

    /** One of the latest 2,000 orders, where most status changes happen. */
    private long recentOrder() {
        long window = Math.min(maxOrderId, 2_000);
        return maxOrderId - (long) (random.nextDouble() * window);
    }

    private void closeConnection() {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("Ignoring failure to close the workload's connection", e);
        }
        connection = null;
        statements = null;
    }

    /** The workload's prepared statements, made once per connection. */
    private static final class Statements {
        final PreparedStatement insertOrder;
        final PreparedStatement insertItem;
        final PreparedStatement insertCustomer;
        final PreparedStatement updateStatus;
        final PreparedStatement updateBalance;
        final PreparedStatement updateProduct;
        final PreparedStatement findOrder;
        final PreparedStatement deleteItems;
        final PreparedStatement deleteOrder;

        Statements(Connection c) throws SQLException {
            insertOrder =
                    c.prepareStatement(
                            "INSERT INTO public.orders (customer_id, status, total, placed_at, notes)"
                                    + " VALUES (?, ?, ?, ?, ?) RETURNING id");
            insertItem =
                    c.prepareStatement(
                            "INSERT INTO public.order_items"
                                    + " (order_id, line_no, product_id, qty, unit_price)"
                                    + " VALUES (?, ?, ?, ?, ?)");
            insertCustomer =
                    c.prepareStatement(
                            "INSERT INTO public.customers (name, email, created_at, balance, tags)"
                                    + " VALUES (?, ?, ?, ?, ?) RETURNING id");
            updateStatus =
                    c.prepareStatement(
                            "UPDATE public.orders SET status = ? WHERE id = ?"
                                    + " RETURNING customer_id, total");
            updateBalance =
                    c.prepareStatement(
                            "UPDATE public.customers SET balance = balance + ? WHERE id = ?");
            updateProduct =
                    c.prepareStatement(
                            "UPDATE public.products SET price = ?::numeric::money,"
                                    + " attrs = jsonb_set(coalesce(attrs, '{}'), '{stock}', to_jsonb(?))"
                                    + " WHERE id = ?");
            findOrder =
                    c.prepareStatement(
                            "SELECT id FROM public.orders WHERE id >= ? ORDER BY id LIMIT 1");
            deleteItems = c.prepareStatement("DELETE FROM public.order_items WHERE order_id = ?");
            deleteOrder = c.prepareStatement("DELETE FROM public.orders WHERE id = ?");
        }
    }
}
