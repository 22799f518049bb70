package dev.walflow.job.it;

import dev.walflow.testkit.SqlRunner;
import dev.walflow.testkit.TypesTestData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ClickHouse sink against a real ClickHouse engine: every type as the README maps it,
 * changes of every kind (key changes too), exactly-once through a task failure and a commit
 * that failed half way (counted: no (key, version) stored twice), a column added at the
 * source, TRUNCATE, and unchanged TOAST values completed.
 */
@ExtendWith({TestPostgres.class, TestClickHouse.class})
class ClickHouseSinkITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    @BeforeEach
    void resetInjection() {
        FailingSink.reset();
        FailingClickHouseSink.FAILED.set(false);
        FailingClickHouseSink.ARMED.set(false);
    }

    private static Pipeline pipeline(String name, String clickHouseDb) {
        Pipeline p = new Pipeline(TestPostgres.newDatabase(name + "_src"), TestPostgres.newDatabase(name + "_dst"), name + "_slot")
                .param("job.name", name);
        return TestClickHouse.sinkTo(p, clickHouseDb);
    }

    /** A source expression and the ClickHouse expression that must give the same text. */
    private record Column(String source, String clickHouse) {}

    private static final String IN_RANGE = " BETWEEN '1900-01-01' AND '2299-12-31 23:59:59.999999'";

    private static final List<Column> ALL_TYPES = List.of(
            new Column("id::text", "toString(id)"),
            new Column("c_smallint::text", "toString(c_smallint)"),
            new Column("c_int::text", "toString(c_int)"),
            new Column("c_bigint::text", "toString(c_bigint)"),
            new Column("c_numeric::text", "c_numeric"),
            new Column("CASE WHEN c_numeric_p <> 'NaN' THEN trim_scale(c_numeric_p)::text END", "toString(c_numeric_p)"),
            new Column(floatText("c_real::float8"), "toString(toFloat64(c_real))"),
            new Column(floatText("c_double"), "toString(c_double)"),
            // walflow carries money as its amount, without the locale's currency sign.
            new Column("c_money::numeric::text", "c_money"),
            new Column("c_bool::text", "toString(c_bool)"),
            new Column("c_text", "c_text"),
            new Column("c_varchar::text", "c_varchar"),
            new Column(outputText("c_char"), "c_char"),
            new Column("upper(encode(c_bytea, 'hex'))", "hex(c_bytea)"),
            new Column("c_uuid::text", "toString(c_uuid)"),
            new Column("CASE WHEN c_date" + IN_RANGE + " THEN c_date::text END", "toString(c_date)"),
            new Column("c_time::text", "c_time"),
            new Column("(c_timetz AT TIME ZONE 'UTC')::text", "c_timetz"),
            new Column("CASE WHEN c_ts" + IN_RANGE + " THEN to_char(c_ts, 'YYYY-MM-DD HH24:MI:SS.US') END", "toString(c_ts)"),
            new Column("CASE WHEN c_ts3" + IN_RANGE + " THEN to_char(c_ts3, 'YYYY-MM-DD HH24:MI:SS.US') END", "toString(c_ts3)"),
            new Column("CASE WHEN c_tstz AT TIME ZONE 'UTC'" + IN_RANGE
                    + " THEN to_char(c_tstz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') END", "toString(c_tstz)"),
            // Intervals travel as ISO 8601 with every field (README).
            new Column("CASE WHEN c_interval IS NOT NULL THEN format('P%sY%sM%sDT%sH%sM%sS',"
                    + " extract(year from c_interval), extract(month from c_interval), extract(day from c_interval),"
                    + " extract(hour from c_interval), extract(minute from c_interval),"
                    + " trim_scale(extract(second from c_interval))) END", "c_interval"),
            new Column("c_json::text", "c_json"),
            new Column("c_jsonb::text", "c_jsonb"),
            // ClickHouse has no NULL array: a NULL array arrives empty (README).
            new Column("coalesce(translate(c_int_arr::text, '{}', '[]'), '[]')", "toString(c_int_arr)"),
            new Column("coalesce(array_to_string(c_text_arr, '|', '<null>'), '')",
                    "arrayStringConcat(arrayMap(x -> ifNull(x, '<null>'), c_text_arr), '|')"),
            new Column(outputText("c_inet"), "c_inet"),
            new Column("c_varbit::text", "c_varbit"),
            new Column("c_bit::text", "c_bit"));

    /** The type's output text (a cast to text trims char(n) and adds an inet's mask). */
    private static String outputText(String column) {
        return "CASE WHEN " + column + " IS NOT NULL THEN format('%s', " + column + ") END";
    }

    private static String floatText(String e) {
        return "CASE WHEN " + e + " = 'Infinity' THEN 'inf' WHEN " + e + " = '-Infinity' THEN '-inf'"
                + " WHEN " + e + " = 'NaN' THEN 'nan' ELSE replace((" + e + ")::text, 'e+', 'e') END";
    }

    @Test
    void everyTypeSnapshottedAndStreamed() throws Exception {
        String db = TestClickHouse.newDatabase("ch_types");
        try (Pipeline p = pipeline("ch_types", db)) {
            List<String> statements = new ArrayList<>();
            statements.add(TypesTestData.DDL);
            TypesTestData.rows(1).forEach(r -> statements.add("INSERT INTO all_types VALUES (" + r + ")"));
            p.sourceSql(statements.toArray(new String[0]));
            p.param("source.tables", "public.all_types").start();
            awaitClickHouseEqualsSource(p, db, "all_types", ALL_TYPES);

            List<String> streamed = new ArrayList<>();
            TypesTestData.rows(11).forEach(r -> streamed.add("INSERT INTO all_types VALUES (" + r + ")"));
            TypesTestData.streamingOnlyRows(21).forEach(r -> streamed.add("INSERT INTO all_types VALUES (" + r + ")"));
            streamed.add("UPDATE all_types SET c_text = 'changed', c_int_arr = '{7}' WHERE id IN (1, 12)");
            streamed.add("DELETE FROM all_types WHERE id IN (2, 13)");
            // A primary-key change: the old key's version is deleted, the new key inserted.
            streamed.add("UPDATE all_types SET id = 1001 WHERE id = 11");
            p.sourceSql(streamed.toArray(new String[0]));
            awaitClickHouseEqualsSource(p, db, "all_types", ALL_TYPES);

            assertThat(TestClickHouse.rows("SELECT name, type FROM system.columns WHERE database = '" + db
                    + "' AND table = 'all_types' AND name IN ('id', 'c_numeric_p', 'c_tstz', 'c_int_arr', 'c_uuid', '_version')"
                    + " ORDER BY name"))
                    .containsExactly(
                            "_version\tUInt64",
                            "c_int_arr\tArray(Nullable(Int32))",
                            "c_numeric_p\tNullable(Decimal(38, 10))",
                            "c_tstz\tNullable(DateTime64(6, \\'UTC\\'))",
                            "c_uuid\tNullable(UUID)",
                            "id\tInt64");
        }
    }

    @Test
    void exactlyOnceThroughFailures() throws Exception {
        String db = TestClickHouse.newDatabase("ch_eo");
        try (Pipeline p = pipeline("ch_eo", db).restartAttempts(4)) {
            ChangeLedger ledger = new ChangeLedger(p);
            ledger.create(300);
            // Small batches, so a checkpoint carries several and the commit can fail half way.
            p.param("source.tables", ChangeLedger.TABLE).param("sink.clickhouse.batch.max-rows", "20")
                    .start(sink -> FailingSink.inWriter(sink, 1_000), FailingClickHouseSink::new);
            // Merges would fold a duplicate away before the check below could count it. The job
            // made the table at start; the failure is armed only now, after the snapshot.
            TestClickHouse.server().execute("SYSTEM STOP MERGES `" + db + "`.`ledger`");
            p.awaitTargetEqualsSource(ChangeLedger.TABLE);
            FailingClickHouseSink.ARMED.set(true);
            ledger.write(200, 5);
            ledger.assertExactlyOnce();
            List<Column> ledgerColumns = List.of(
                    new Column("id::text", "toString(id)"),
                    new Column("version::text", "toString(version)"),
                    new Column("payload", "payload"));
            awaitClickHouseEqualsSource(p, db, "ledger", ledgerColumns);
            assertThat(FailingSink.FAILED).as("the injected task failure happened").isTrue();
            assertThat(FailingClickHouseSink.FAILED).as("the injected ClickHouse commit failure happened").isTrue();
            assertThat(TestClickHouse.rows("SELECT id, _version, count() FROM `" + db + "`.`ledger`"
                    + " GROUP BY id, _version HAVING count() > 1 LIMIT 10"))
                    .as("(key, version) pairs stored more than once")
                    .isEmpty();
        }
    }

    @Test
    void columnAddedAtTheSourceTruncateAndToast() throws Exception {
        String db = TestClickHouse.newDatabase("ch_schema");
        try (Pipeline p = pipeline("ch_schema", db)) {
            p.sourceSql(
                    "CREATE TABLE docs (id int PRIMARY KEY, title text, body text)",
                    "ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL",
                    // Out-of-line values: an UPDATE that leaves them alone omits them from the WAL.
                    "INSERT INTO docs SELECT g, 't' || g, repeat(md5(g::text), 300) FROM generate_series(1, 20) g");
            p.param("source.tables", "public.docs").start();
            List<Column> docs = List.of(
                    new Column("id::text", "toString(id)"),
                    new Column("title", "title"),
                    new Column("md5(body)", "lower(hex(MD5(body)))"));
            awaitClickHouseEqualsSource(p, db, "docs", docs);

            // Unchanged TOAST: completed from keyed state.
            p.sourceSql("UPDATE docs SET title = 'updated' WHERE id <= 10");
            awaitClickHouseEqualsSource(p, db, "docs", docs);
            // A key change leaves the TOASTed body out of the new row too.
            p.sourceSql("UPDATE docs SET id = 500 WHERE id = 5");
            awaitClickHouseEqualsSource(p, db, "docs", docs);

            // A column added while the job runs appears before the rows that carry it. (The
            // PostgreSQL target does not follow schema changes yet: it gets the column by hand.)
            try (Connection t = p.target()) {
                SqlRunner.execute(t, "ALTER TABLE docs ADD COLUMN rating numeric(5,2)");
            }
            p.sourceSql("ALTER TABLE docs ADD COLUMN rating numeric(5,2)",
                    "INSERT INTO docs VALUES (100, 'rated', 'short', 4.50)",
                    "UPDATE docs SET rating = 3.25 WHERE id = 3");
            List<Column> rated = new ArrayList<>(docs);
            rated.add(new Column("trim_scale(rating)::text", "toString(rating)"));
            awaitClickHouseEqualsSource(p, db, "docs", rated);
            assertThat(TestClickHouse.rows("SELECT type FROM system.columns WHERE database = '" + db
                    + "' AND table = 'docs' AND name = 'rating'"))
                    .containsExactly("Nullable(Decimal(5, 2))");

            // TRUNCATE removes what was before it, not what follows it.
            p.sourceSql("BEGIN; TRUNCATE docs; INSERT INTO docs VALUES (7, 'after', 'b', 1); COMMIT;");
            awaitClickHouseEqualsSource(p, db, "docs", rated);
        }
    }

    /** Waits until {@code <table>_live} shows the source's rows, compared column by column. */
    private static void awaitClickHouseEqualsSource(Pipeline p, String db, String table, List<Column> columns) throws Exception {
        StringBuilder pg = new StringBuilder("SELECT ");
        StringBuilder ch = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            pg.append(i > 0 ? ", " : "").append(columns.get(i).source());
            ch.append(i > 0 ? ", " : "").append(columns.get(i).clickHouse());
        }
        pg.append(" FROM ").append(table).append(" ORDER BY 1");
        ch.append(" FROM `").append(db).append("`.`").append(table).append("_live` ORDER BY id");
        List<String> expected = new ArrayList<>();
        AtomicReference<List<String>> actual = new AtomicReference<>(List.of());
        Pipeline.diagnostics = () -> "ClickHouse " + actual.get() + "; expected " + expected;
        Pipeline.await("ClickHouse " + db + "." + table + "_live to equal the source", () -> {
            try (Connection c = p.source()) {
                expected.clear();
                for (List<String> row : SqlRunner.rows(c, pg.toString())) {
                    List<String> cells = new ArrayList<>();
                    row.forEach(v -> cells.add(tsv(v)));
                    expected.add(String.join("\t", cells));
                }
                expected.sort(null);
                List<String> rows = new ArrayList<>(TestClickHouse.rows(ch.toString()));
                rows.sort(null);
                actual.set(rows);
                return expected.equals(rows);
            } catch (SQLException | RuntimeException e) {
                actual.set(List.of(e.toString()));
                return false;
            }
        });
        Pipeline.diagnostics = () -> "";
    }

    /** A value as ClickHouse's TabSeparated output writes it. */
    private static String tsv(String v) {
        if (v == null) {
            return "\\N";
        }
        return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("'", "\\'");
    }
}
