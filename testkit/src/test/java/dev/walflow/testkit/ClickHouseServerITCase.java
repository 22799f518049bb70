package dev.walflow.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.clickhouse.jdbc.StatementImpl;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * clickhouse-jdbc against {@link ClickHouseServer}: the chdb front end, or the real server named
 * by {@code CLICKHOUSE_TEST_URL}.
 */
class ClickHouseServerITCase {

    private static final String DATABASE = "walflow_clickhouse_server_it";

    private static final String COLUMNS =
            "id, version, deleted, name, amount, at, uid, flag, nums, note";
    private static final String INSERT =
            "INSERT INTO events (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String AWKWARD =
            "it's \"quoted\", back\\slash \\N, new\nline, tab\t, ünïcødé ✓ 中文 🚀";

    private static final List<Row> ROWS =
            List.of(
                    new Row(1, 1, 0, "first", new BigDecimal("12345678901234567890.1234567890"),
                            Instant.parse("2026-03-01T12:34:56.123456Z"),
                            UUID.fromString("0e37b2b4-5f1c-4a7e-9d0a-2a4f6f1c3b9e"), true,
                            Arrays.asList(1L, null, Long.MIN_VALUE, Long.MAX_VALUE), AWKWARD),
                    new Row(2, 1, 0, null, new BigDecimal("-0.0000000001"),
                            Instant.parse("1970-01-01T00:00:00Z"),
                            UUID.fromString("00000000-0000-0000-0000-000000000000"), false,
                            List.of(), ""),
                    new Row(3, 1, 0, "", new BigDecimal("1E-10"),
                            Instant.parse("1950-06-15T23:59:59.999999Z"),
                            UUID.fromString("ffffffff-ffff-ffff-ffff-ffffffffffff"), true,
                            Arrays.asList((Long) null), "\\"));

    private static ClickHouseServer server;

    @BeforeAll
    static void start() {
        server = ClickHouseServer.start();
        server.createDatabase(DATABASE);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void batchInsertsRoundTripDeduplicateAndCollapse() throws Exception {
        try (Connection c = server.connect(DATABASE)) {
            recreate(c, "events", "("
                    + "id UInt64, version UInt64, deleted UInt8, name Nullable(String),"
                    + " amount Decimal(38, 10), at DateTime64(6, 'UTC'), uid UUID, flag Bool,"
                    + " nums Array(Nullable(Int64)), note String)"
                    + " ENGINE = ReplacingMergeTree(version, deleted) ORDER BY id"
                    + " SETTINGS non_replicated_deduplication_window = 100");

            assertThat(insertBatch(c, ROWS, "batch-1")).containsExactly(1, 1, 1);
            assertThat(readAll(c, "SELECT " + COLUMNS + " FROM events ORDER BY id"))
                    .containsExactlyElementsOf(ROWS);

            // The same token again is stored once, though the statement succeeds.
            insertBatch(c, ROWS, "batch-1");
            assertThat(count(c, "SELECT count() FROM events")).isEqualTo(3);
            // The token, not the content, decides: the same rows under a new token are stored.
            insertBatch(c, ROWS, "batch-2");
            assertThat(count(c, "SELECT count() FROM events")).isEqualTo(6);

            // Version 2: row 1 updated, row 2 deleted. FINAL shows the newest, hides the deleted.
            Row updated = ROWS.get(0).withVersion(2, 0, "updated");
            Row deleted = ROWS.get(1).withVersion(2, 1, null);
            insertBatch(c, List.of(updated, deleted), "batch-3");
            assertThat(readAll(c, "SELECT " + COLUMNS + " FROM events FINAL ORDER BY id"))
                    .containsExactly(updated, ROWS.get(2));
        }
    }

    /**
     * How a per-insert setting is passed with clickhouse-jdbc 0.9.x: on the statement's own
     * settings, sent as a URL parameter with that statement's requests only. (A connection-wide
     * alternative is the connection property {@code clickhouse_setting_NAME}; a {@code SET}
     * statement does not work over HTTP without a session.)
     */
    private static int[] insertBatch(Connection c, List<Row> rows, String token)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.unwrap(StatementImpl.class)
                    .getLocalSettings()
                    .serverSetting("insert_deduplication_token", token);
            for (Row row : rows) {
                row.bind(ps);
                ps.addBatch();
            }
            return ps.executeBatch();
        }
    }

    @Test
    void settingsClauseInTheInsertAlsoCarriesTheToken() throws Exception {
        try (Connection c = server.connect(DATABASE)) {
            recreate(c, "tokens", "(id UInt64, v String) ENGINE = MergeTree ORDER BY id"
                    + " SETTINGS non_replicated_deduplication_window = 100");
            for (int i = 0; i < 2; i++) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO tokens (id, v)"
                        + " SETTINGS insert_deduplication_token = 'same' VALUES (?, ?)")) {
                    for (int id = 1; id <= 3; id++) {
                        ps.setLong(1, id);
                        ps.setString(2, "v" + id + "-" + i); // content differs, token does not
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            assertThat(count(c, "SELECT count() FROM tokens")).isEqualTo(3);
            assertThat(count(c, "SELECT countIf(v LIKE '%-0') FROM tokens")).isEqualTo(3);
        }
    }

    @Test
    void alterTableAddsAColumn() throws Exception {
        try (Connection c = server.connect(DATABASE)) {
            recreate(c, "altered", "(id UInt64) ENGINE = MergeTree ORDER BY id");
            execute(c, "INSERT INTO altered VALUES (1)");
            execute(c, "ALTER TABLE altered ADD COLUMN IF NOT EXISTS label Nullable(String)");
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO altered (id, label) VALUES (?, ?)")) {
                ps.setLong(1, 2);
                ps.setString(2, "two");
                ps.executeUpdate();
            }
            assertThat(strings(c, "SELECT concat(toString(id), ':', ifNull(label, 'null'))"
                    + " FROM altered ORDER BY id")).containsExactly("1:null", "2:two");
        }
    }

    @Test
    void serverErrorsBecomeSqlExceptionsWithClickHousesMessage() throws Exception {
        try (Connection c = server.connect(DATABASE);
                Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELEC 1"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("Code: 62")
                    .hasMessageContaining("Syntax error");
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO no_such_table VALUES (1)"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("UNKNOWN_TABLE")
                    .hasMessageContaining("no_such_table");
            // The connection stays usable.
            assertThat(count(c, "SELECT 41 + 1")).isEqualTo(42);
        }
    }

    @Test
    void tablesOutliveConnections() throws Exception {
        try (Connection c = server.connect(DATABASE)) {
            recreate(c, "kept", "(id UInt64) ENGINE = MergeTree ORDER BY id");
            execute(c, "INSERT INTO kept VALUES (1), (2)");
        }
        try (Connection c = server.connect(DATABASE)) {
            assertThat(count(c, "SELECT sum(id) FROM kept")).isEqualTo(3);
        }
    }

    @Test
    void tablesOutliveAFrontEndRestart(@TempDir Path data) throws Exception {
        assumeThat(server.isExternal()).as("only the chdb front end is restarted").isFalse();
        try (ClickHouseServer first = ClickHouseServer.startFrontEnd(data);
                Connection c = first.connect("default")) {
            execute(c, "CREATE TABLE restarted (id UInt64) ENGINE = MergeTree ORDER BY id");
            execute(c, "INSERT INTO restarted VALUES (7)");
        }
        try (ClickHouseServer second = ClickHouseServer.startFrontEnd(data);
                Connection c = second.connect("default")) {
            assertThat(count(c, "SELECT sum(id) FROM restarted")).isEqualTo(7);
        }
    }

    @Test
    void reportsTheServerVersion() throws Exception {
        try (Connection c = server.connect(DATABASE)) {
            assertThat(strings(c, "SELECT version()"))
                    .singleElement()
                    .asString()
                    .matches("\\d+\\..*");
            assertThat(c.getMetaData().getDatabaseProductVersion()).matches("\\d+\\..*");
        }
    }

    // ---------------------------------------------------------------------------------------

    private record Row(
            long id,
            long version,
            int deleted,
            String name,
            BigDecimal amount,
            Instant at,
            UUID uid,
            boolean flag,
            List<Long> nums,
            String note) {

        Row withVersion(long newVersion, int newDeleted, String newName) {
            return new Row(id, newVersion, newDeleted, newName, amount, at, uid, flag, nums, note);
        }

        void bind(PreparedStatement ps) throws SQLException {
            ps.setLong(1, id);
            ps.setLong(2, version);
            ps.setInt(3, deleted);
            ps.setString(4, name);
            ps.setBigDecimal(5, amount);
            ps.setObject(6, at);
            ps.setObject(7, uid);
            ps.setBoolean(8, flag);
            ps.setObject(9, nums);
            ps.setString(10, note);
        }

        static Row read(ResultSet rs) throws SQLException {
            Array array = rs.getArray(9);
            List<Long> nums = new ArrayList<>();
            for (Object o : (Object[]) array.getArray()) {
                nums.add(o == null ? null : ((Number) o).longValue());
            }
            return new Row(
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getInt(3),
                    rs.getString(4),
                    rs.getBigDecimal(5),
                    rs.getObject(6, OffsetDateTime.class).toInstant(),
                    rs.getObject(7, UUID.class),
                    rs.getBoolean(8),
                    nums,
                    rs.getString(10));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Row r
                    && id == r.id
                    && version == r.version
                    && deleted == r.deleted
                    && Objects.equals(name, r.name)
                    && amount.compareTo(r.amount) == 0
                    && at.equals(r.at)
                    && uid.equals(r.uid)
                    && flag == r.flag
                    && nums.equals(r.nums)
                    && note.equals(r.note);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id);
        }
    }

    private static List<Row> readAll(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<Row> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(Row.read(rs));
            }
            return rows;
        }
    }

    private static void recreate(Connection c, String table, String definition)
            throws SQLException {
        execute(c, "DROP TABLE IF EXISTS " + table + " SYNC");
        execute(c, "CREATE TABLE " + table + " " + definition);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as("a row from %s", sql).isTrue();
            return rs.getLong(1);
        }
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }
}
