package dev.walflow.job.it;

import dev.walflow.job.Preflight;
import dev.walflow.job.SourceFactory;
import dev.walflow.job.config.JobConfig;
import dev.walflow.model.ChangeEvent;
import dev.walflow.schema.TableInfo;
import dev.walflow.testkit.PostgresServer;
import dev.walflow.testkit.SqlRunner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snapshot chunks read with COPY ({@code source.snapshot.copy}, the default) give exactly the
 * events the connector's own read gives: the same tables, keys, columns, schema versions and
 * value texts, for every column type COPY serves, awkward text (tabs, newlines, backslashes,
 * quotes, a dollar sign, non-ASCII), NULLs, special floats, and chunk bounds of text, UUID,
 * numeric and serial keys. A table with a type COPY does not serve is still read, by the connector.
 */
@ExtendWith(TestPostgres.class)
class CopySnapshotITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestCluster.extension();

    /** The events emitted, one line each; the MiniCluster runs in this JVM. */
    private static final Queue<String> EMITTED = new ConcurrentLinkedQueue<>();

    private static final String TABLES = "public.typed,public.by_uuid,public.by_number,public.by_serial,public.with_interval";

    @Test
    void copyAndTheConnectorEmitTheSameSnapshot() throws Exception {
        PostgresServer pg = TestPostgres.server();
        // One database per read, each with its own slot.
        String connectorDb = TestPostgres.newDatabase("copy_snapshot_connector");
        String copyDb = TestPostgres.newDatabase("copy_snapshot_copy");
        for (String db : List.of(connectorDb, copyDb)) {
            fill(pg, db);
        }
        int rows = 43 + 30 + 30 + 30 + 10;

        List<String> viaConnector = snapshot(pg, connectorDb, "false", rows);
        List<String> viaCopy;
        try (LogCapture logs = LogCapture.open()) {
            viaCopy = snapshot(pg, copyDb, "true", rows);
            assertThat(logs.text())
                    .as("chunks of the keyed tables were read with COPY")
                    .contains("rows of snapshot split public.typed:")
                    .contains("rows of snapshot split public.by_uuid:")
                    .contains("rows of snapshot split public.by_number:")
                    .contains("rows of snapshot split public.by_serial:")
                    .contains("Snapshot of public.with_interval reads its rows through the connector, not COPY: column span has type interval");
        }
        assertThat(viaCopy).hasSize(rows).doesNotHaveDuplicates();
        assertThat(viaCopy).containsExactlyInAnyOrderElementsOf(viaConnector);
    }

    /** The same rows in every database: every value is computed from the row number. */
    private static void fill(PostgresServer pg, String db) throws Exception {
        try (Connection c = pg.connect(db)) {
            SqlRunner.execute(c,
                    "CREATE TABLE typed (k text PRIMARY KEY, i2 smallint, i4 int, i8 bigint, n numeric(12,3), nn numeric,"
                            + " vc varchar(20), ch char(4), u uuid, j json, jb jsonb, x xml, b bytea, d date,"
                            + " ts timestamp(6), tz timestamptz, t time, ip inet, net cidr, mac macaddr, flag boolean,"
                            + " r real, dp double precision,"
                            + " ia int[], ta text[], ba boolean[], fa double precision[], ma int[][], da date[])",
                    "INSERT INTO typed SELECT 'key ' || lpad(g::text, 3, '0') || CASE g % 4 WHEN 0 THEN ' it''s' WHEN 1 THEN ' $w$ cash'"
                            + " WHEN 2 THEN E' back\\\\slash' ELSE ' ünï' END,"
                            + " g, g * 1000, g * 100000000000, g * 1.5, CASE WHEN g % 7 = 0 THEN 'NaN' ELSE g / 3.0 END,"
                            + " 'v' || g, 'c' || (g % 10), md5(g::text)::uuid,"
                            + " ('{\"a\": ' || g || ', \"s\": \"x\\ty\"}')::json, ('{\"b\": [1, 2, ' || g || ']}')::jsonb,"
                            + " ('<r n=\"' || g || '\"/>')::xml, decode(lpad(to_hex(g), 6, '0') || '5c0009', 'hex'),"
                            + " date '2024-02-29' + g, timestamp '2024-01-01 12:00:00.123456' + g * interval '1 hour 1.5 second',"
                            + " timestamptz '2024-06-01 00:00:00+02' + g * interval '1 minute', time '23:59:59.5' - g * interval '1 minute',"
                            + " ('10.0.0.' || g)::inet, ('10.' || g || '.0.0/16')::cidr, ('08:00:2b:01:02:' || lpad(to_hex(g), 2, '0'))::macaddr,"
                            + " g % 2 = 0, g / 7.0, g / 3.0 * 1e300,"
                            + " ARRAY[g, NULL, -g], ARRAY['plain', 'with space', 'comma,here', 'quote\"here', E'back\\\\slash', NULL, '', 'NULL', '{braces}'],"
                            + " ARRAY[g % 2 = 0, NULL], ARRAY[g / 3.0, 'NaN', '-Infinity', 1e300]::float8[], ARRAY[[g, 2], [3, 4]],"
                            + " ARRAY[date '2024-01-01' + g, 'infinity']"
                            + " FROM generate_series(1, 40) g",
                    "INSERT INTO typed (k, vc, flag, r, dp, ts, d, ia, ta) VALUES"
                            + " (E'tab\\there\\nnew line', E'a\\tb', NULL, 'NaN', '-Infinity', 'infinity', '-infinity', '[0:1]={5,6}', '{}'),"
                            + " ('all nulls', NULL, NULL, 'Infinity', 'NaN', NULL, NULL, NULL, NULL),"
                            + " ('empty', '', true, -0.0, 1e-310, '0999-01-01 00:00:00', '0001-01-01', '{}', '{\"\"}')",
                    "CREATE TABLE by_uuid (id uuid PRIMARY KEY, note text)",
                    "INSERT INTO by_uuid SELECT md5('u' || g)::uuid, repeat('n', g % 5) FROM generate_series(1, 30) g",
                    "CREATE TABLE by_number (id numeric(20,2) PRIMARY KEY, note text)",
                    "INSERT INTO by_number SELECT g * 2.25, 'row ' || g FROM generate_series(1, 30) g",
                    // Debezium names these columns' types bigserial and serial, not int8 and int4.
                    "CREATE TABLE by_serial (id bigserial PRIMARY KEY, n serial, note text)",
                    "INSERT INTO by_serial (note) SELECT 'serial ' || g FROM generate_series(1, 30) g",
                    "CREATE TABLE with_interval (id int PRIMARY KEY, span interval)",
                    "INSERT INTO with_interval SELECT g, g * interval '1 day 2 hours' FROM generate_series(1, 10) g");
        }
    }

    /** Every snapshot event of the tables, read in chunks of seven rows. */
    private static List<String> snapshot(PostgresServer pg, String db, String copy, int rows) throws Exception {
        String[] args = {
            "--source.url", pg.jdbcUrl(db),
            "--source.username", PostgresServer.USER,
            "--source.password", PostgresServer.PASSWORD,
            "--source.tables", TABLES,
            "--source.slot-name", "copy_" + copy,
            "--source.publication", "copy_" + copy,
            "--source.snapshot.chunk-size", "7",
            "--source.snapshot.copy", copy,
            "--sink.postgres.url", pg.jdbcUrl(db),
            "--sink.postgres.username", PostgresServer.USER,
            "--sink.postgres.password", PostgresServer.PASSWORD,
        };
        JobConfig config = JobConfig.parse(args, Map.of());
        List<TableInfo> tables = Preflight.prepareSource(config);
        EMITTED.clear();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(conf);
        env.setParallelism(1);
        env.enableCheckpointing(500);
        env.fromSource(SourceFactory.create(config, tables), WatermarkStrategy.noWatermarks(), "source")
                .map(CopySnapshotITCase::describe)
                .addSink(new Collect());
        JobClient job = env.executeAsync("copy-snapshot-" + copy);
        try {
            Pipeline.await("the snapshot with source.snapshot.copy=" + copy + " (" + EMITTED.size() + " of " + rows + " rows)",
                    () -> EMITTED.size() >= rows);
        } finally {
            job.cancel().get();
            // Flink CDC's connection pools are shared by every job in the JVM and closed with a
            // job's enumerator: the next job starts once this one is gone.
            Pipeline.await("the job to be cancelled", () -> {
                try {
                    return job.getJobStatus().get().isGloballyTerminalState();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Connection c = pg.connect(db)) {
                Pipeline.await("the slot to be released", () -> SqlRunner.queryLong(c,
                        "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = 'copy_" + copy + "'") == 0);
                SqlRunner.execute(c, "SELECT pg_drop_replication_slot('copy_" + copy + "')");
            }
        }
        return new ArrayList<>(EMITTED);
    }

    private static String describe(ChangeEvent e) {
        return e.op + " " + e.table + " key=" + Arrays.toString(e.keyColumns) + Arrays.toString(e.key)
                + " v" + e.schemaVersion + " at " + e.position + " tx " + e.txId + "/" + e.commitMicros
                + " columns=" + Arrays.toString(e.columns) + " before=" + Arrays.toString(e.before)
                + " after=" + Arrays.toString(e.after);
    }

    private static final class Collect implements SinkFunction<String> {
        @Override
        public void invoke(String value, Context context) {
            EMITTED.add(value);
        }
    }
}
