package dev.walflow.job;

import dev.walflow.jdbc.Connections;
import dev.walflow.job.config.HistoryOptions;
import dev.walflow.job.config.JobConfig;
import dev.walflow.job.config.SinkOptions;
import dev.walflow.job.config.SourceOptions;
import dev.walflow.schema.Catalog;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import dev.walflow.sink.history.HistoryTable;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.sink.txn.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks at start everything that would otherwise fail later or silently: both databases
 * reachable, logical replication possible, every table present, readable and matchable, and the
 * publication and slot in place (created when missing). Missing target tables are created with
 * the source's columns and key. Each failure names the parameter or table and the fix.
 */
public final class Preflight {

    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

    private static final java.util.regex.Pattern PLAIN_NAME = java.util.regex.Pattern.compile("[\\p{L}_][\\p{L}\\p{N}_$]*");

    private Preflight() {}

    /** Returns the captured tables as the source defines them. */
    public static List<TableInfo> run(JobConfig config) {
        List<TableInfo> tables = prepareSource(config);
        TargetConfig sink = ReplicationJob.sinkConfig(config);
        try (Connection target = connectTarget(sink, SinkOptions.POSTGRES_URL.key(), "target")) {
            ensureTargetTables(target, tables);
            ensureWalflowTables(target, sink, List.of(Transactions.createProgressTableSql(sink.walflowSchema())),
                    List.of(sink.walflowSchema() + ".progress"), "The target (" + SinkOptions.POSTGRES_URL.key() + ")");
        } catch (SQLException e) {
            throw new IllegalStateException("Failed to prepare the target database ("
                    + Connections.redact(sink.url()) + "): " + e.getMessage(), e);
        }
        if (config.get(HistoryOptions.ENABLED)) {
            TargetConfig history = ReplicationJob.historyConfig(config);
            List<String> ddl = new ArrayList<>(HistoryTable.ddl(history.walflowSchema()));
            ddl.add(Transactions.createProgressTableSql(history.walflowSchema()));
            List<String> relations = new ArrayList<>(HistoryTable.relations(history.walflowSchema()));
            relations.add(history.walflowSchema() + ".progress");
            try (Connection c = connectTarget(history, HistoryOptions.URL.key(), "history")) {
                ensureWalflowTables(c, history, ddl, relations, "The history database (" + HistoryOptions.URL.key() + ")");
            } catch (SQLException e) {
                throw new IllegalStateException("Failed to prepare change_history in " + Connections.redact(history.url())
                        + ": " + e.getMessage(), e);
            }
        }
        return tables;
    }

    /**
     * The source part alone: logical replication possible, tables present and matchable, the
     * publication and slot in place (created when missing). Returns the captured tables.
     */
    public static List<TableInfo> prepareSource(JobConfig config) {
        try (Connection source = connectSource(config)) {
            checkLogicalReplication(source, config);
            List<TableInfo> tables = resolveTables(source, config);
            ensurePublication(source, config, tables);
            ensureSlot(source, config);
            return tables;
        } catch (SQLException e) {
            throw new IllegalStateException("Failed to prepare the source database ("
                    + Connections.redact(config.get(SourceOptions.URL)) + "): " + e.getMessage(), e);
        }
    }

    private static Connection connectSource(JobConfig config) {
        try {
            return Connections.open(
                    config.get(SourceOptions.URL), ReplicationJob.sourceConnectionProperties(config));
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Cannot connect to the source database (" + SourceOptions.URL.key() + "="
                            + Connections.redact(config.get(SourceOptions.URL)) + ", " + SourceOptions.USERNAME.key() + "="
                            + config.get(SourceOptions.USERNAME) + "): " + e.getMessage(), e);
        }
    }

    private static void checkLogicalReplication(Connection source, JobConfig config) throws SQLException {
        String walLevel = queryString(source, "SHOW wal_level");
        if (!"logical".equals(walLevel)) {
            throw new IllegalStateException(
                    "The source database runs with wal_level=" + walLevel
                            + "; logical replication needs wal_level=logical (set it in postgresql.conf and restart the server)");
        }
        String canReplicate = queryString(source,
                "SELECT (rolreplication OR rolsuper)::text FROM pg_roles WHERE rolname = current_user");
        if (!"true".equals(canReplicate)) {
            throw new IllegalStateException(
                    "User '" + config.get(SourceOptions.USERNAME) + "' (" + SourceOptions.USERNAME.key()
                            + ") lacks the REPLICATION attribute: run ALTER ROLE \""
                            + config.get(SourceOptions.USERNAME) + "\" REPLICATION");
        }
    }

    private static List<TableInfo> resolveTables(Connection source, JobConfig config) throws SQLException {
        Set<TableId> ids = new LinkedHashSet<>();
        for (String name : config.names(SourceOptions.TABLES)) {
            try {
                ids.add(TableId.parse(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        "Invalid table name '" + name + "' in " + SourceOptions.TABLES.key() + ": " + e.getMessage(), e);
            }
        }
        for (String schemaName : config.names(SourceOptions.SCHEMAS)) {
            String schema = TableId.parse(schemaName + ".x").schema();
            List<TableId> found = Catalog.listTables(source, schema);
            if (found.isEmpty()) {
                throw new IllegalStateException(
                        "Schema '" + schemaName + "' (" + SourceOptions.SCHEMAS.key() + ") has no tables in the source database");
            }
            ids.addAll(found);
        }
        List<TableInfo> tables = new ArrayList<>();
        for (TableId id : ids) {
            if (!PLAIN_NAME.matcher(id.schema()).matches() || !PLAIN_NAME.matcher(id.name()).matches()) {
                // Flink CDC 3.5 names snapshot splits "schema.table:n" and parses them back with
                // Debezium's table-id parser, which fails on such names mid-snapshot.
                throw new IllegalStateException(
                        "Table " + id.quoted() + " cannot be captured: Flink CDC 3.5 fails on schema or table names with"
                                + " spaces, dots, quotes or other punctuation. Rename it (letters, digits, _ and $; any case is fine)");
            }
            TableInfo table = Catalog.read(source, id).orElseThrow(() -> new IllegalStateException(
                    "Table " + id + " (" + SourceOptions.TABLES.key() + ") does not exist in the source database"));
            if (!table.isReplicable()) {
                throw new IllegalStateException(
                        "Table " + id + " has no primary key and REPLICA IDENTITY "
                                + table.replicaIdentity() + ", so its updates and deletes cannot be matched to target rows:"
                                + " add a primary key, or run ALTER TABLE " + id.quoted() + " REPLICA IDENTITY FULL");
            }
            try (PreparedStatement ps = source.prepareStatement("SELECT has_table_privilege(?, 'SELECT')")) {
                ps.setString(1, id.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new IllegalStateException(
                                "User '" + config.get(SourceOptions.USERNAME) + "' cannot read table " + id
                                        + ": run GRANT SELECT ON " + id.quoted() + " TO \"" + config.get(SourceOptions.USERNAME) + "\"");
                    }
                }
            }
            tables.add(table);
        }
        return tables;
    }

    private static void ensurePublication(Connection source, JobConfig config, List<TableInfo> tables) throws SQLException {
        String publication = config.get(SourceOptions.PUBLICATION);
        boolean exists;
        try (PreparedStatement ps = source.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        if (!exists) {
            StringBuilder sql = new StringBuilder("CREATE PUBLICATION ").append(TableId.quote(publication)).append(" FOR TABLE ");
            for (int i = 0; i < tables.size(); i++) {
                sql.append(i > 0 ? ", " : "").append(tables.get(i).id().quoted());
            }
            try (Statement s = source.createStatement()) {
                s.execute(sql.toString());
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot create publication '" + publication + "' ("
                        + SourceOptions.PUBLICATION.key() + "); create it as the tables' owner: " + sql + " -- " + e.getMessage(), e);
            }
            LOG.info("Created publication {} for {} tables", publication, tables.size());
            return;
        }
        Set<TableId> published = new LinkedHashSet<>();
        try (PreparedStatement ps = source.prepareStatement(
                "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    published.add(new TableId(rs.getString(1), rs.getString(2)));
                }
            }
        }
        for (TableInfo t : tables) {
            if (!published.contains(t.id())) {
                throw new IllegalStateException(
                        "Publication '" + publication + "' (" + SourceOptions.PUBLICATION.key() + ") does not publish table "
                                + t.id() + ": run ALTER PUBLICATION " + TableId.quote(publication) + " ADD TABLE " + t.id().quoted());
            }
        }
    }

    private static void ensureSlot(Connection source, JobConfig config) throws SQLException {
        String slot = config.get(SourceOptions.SLOT_NAME);
        try (PreparedStatement ps = source.prepareStatement(
                "SELECT plugin, database, wal_status FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (!"pgoutput".equals(rs.getString(1))) {
                        throw new IllegalStateException("Replication slot '" + slot + "' (" + SourceOptions.SLOT_NAME.key()
                                + ") uses plugin " + rs.getString(1) + ", walflow needs pgoutput: choose another slot name or drop it");
                    }
                    if (!source.getCatalog().equals(rs.getString(2))) {
                        throw new IllegalStateException("Replication slot '" + slot + "' (" + SourceOptions.SLOT_NAME.key()
                                + ") belongs to database " + rs.getString(2) + ": choose another slot name");
                    }
                    if ("lost".equals(rs.getString(3))) {
                        throw new IllegalStateException("Replication slot '" + slot + "' was invalidated (wal_status=lost):"
                                + " the WAL it needed is gone, so changes were lost. Drop the slot and start the job without state to re-snapshot");
                    }
                    return;
                }
            }
        }
        try (PreparedStatement ps = source.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
            ps.setString(1, slot);
            ps.execute();
        }
        LOG.info("Created replication slot {}", slot);
    }

    private static Connection connectTarget(TargetConfig target, String key, String role) {
        try {
            return Connections.open(target.url(), target.connectionProperties());
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot connect to the " + role + " database (" + key + "="
                    + Connections.redact(target.url()) + "): " + e.getMessage(), e);
        }
    }

    /** walflow's schema and tables; with exactly-once, a server that can prepare transactions. */
    private static void ensureWalflowTables(
            Connection c, TargetConfig target, List<String> ddl, List<String> relations, String what)
            throws SQLException {
        c.setAutoCommit(true);
        if (target.exactlyOnce()) {
            Transactions.requirePreparedTransactions(c, what);
        }
        // Only when something is missing: even CREATE INDEX IF NOT EXISTS waits for a table lock,
        // and transactions a killed run left prepared hold locks until this job recovers them.
        boolean complete = true;
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            for (String relation : relations) {
                ps.setString(1, relation);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    complete &= rs.getBoolean(1);
                }
            }
        }
        if (complete) {
            return;
        }
        try (Statement s = c.createStatement()) {
            s.execute("SET lock_timeout = '30s'");
            s.execute("CREATE SCHEMA IF NOT EXISTS " + target.walflowSchema());
            for (String sql : ddl) {
                s.execute(sql);
            }
        }
    }

    private static void ensureTargetTables(Connection target, List<TableInfo> tables) throws SQLException {
        for (TableInfo table : tables) {
            if (Catalog.read(target, table.id()).isPresent()) {
                continue;
            }
            try (Statement s = target.createStatement()) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + TableId.quote(table.id().schema()));
                s.execute(Catalog.createTableSql(table));
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot create target table " + table.id()
                        + ": " + e.getMessage() + " (create it by hand, or grant CREATE on schema "
                        + table.id().schema() + " to the " + SinkOptions.POSTGRES_USERNAME.key() + " user)", e);
            }
            LOG.info("Created target table {}", table.id());
        }
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
