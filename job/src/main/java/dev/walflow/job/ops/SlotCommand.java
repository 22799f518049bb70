package dev.walflow.job.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.walflow.jdbc.Connections;
import dev.walflow.job.Preflight;
import dev.walflow.job.ReplicationJob;
import dev.walflow.job.config.JobConfig;
import dev.walflow.job.config.JobOptions;
import dev.walflow.job.config.SourceOptions;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import dev.walflow.sink.txn.TargetConfig;
import dev.walflow.sink.txn.Transactions;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code deploy/slot.sh}: lists, creates and drops walflow's slot and publication on the source,
 * and lists or settles walflow's prepared transactions on the targets (a cancelled job can leave
 * some, and while one is prepared no new slot can be created on that server). Changes need
 * {@code --yes}; without it the command says what it would do.
 */
public final class SlotCommand {

    static final String USAGE = String.join("\n",
            "Usage: deploy/slot.sh --config FILE [--key value ...] COMMAND [--yes]",
            "  list                    slots and publications of the source database, walflow's prepared transactions",
            "  create                  create the publication (for the captured tables) and the slot if missing",
            "  drop                    drop the slot, leftover <slot>_<n> snapshot slots and the publication",
            "  prepared                list walflow's prepared transactions on the targets",
            "  rollback GID... | --all roll back prepared transactions of this job (job.name)",
            "  commit GID...           commit prepared transactions");

    static final String SETTLE_WARNING = "Rolling back a prepared transaction is safe only if the job will never be"
            + " resumed from the checkpoint or savepoint that holds it: a resume from it would then find the transaction"
            + " gone and stop (its changes are missing from the target). Commit one only if its checkpoint completed."
            + " A job that is started again settles its own transactions by itself.";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private SlotCommand() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || List.of(args).contains("--help")) {
            System.out.println(USAGE);
            return;
        }
        ToolArgs a = new ToolArgs(args, Set.of(), Set.of("yes", "all"), System.getenv());
        ObjectNode result = run(a.config, a.words, a.has("yes"), a.has("all"));
        StatusCommand.print(result, System.out);
        if (result.has("error")) {
            System.exit(1);
        }
    }

    /** Runs a command; the result (or an "error" field) as JSON. */
    public static ObjectNode run(JobConfig config, List<String> words, boolean yes, boolean all) {
        if (words.isEmpty()) {
            return JSON.objectNode().put("error", "no command given\n" + USAGE);
        }
        String command = words.get(0);
        List<String> gids = words.subList(1, words.size());
        try {
            switch (command) {
                case "list":
                    return list(config);
                case "create":
                    return create(config);
                case "drop":
                    return drop(config, yes);
                case "prepared":
                    return prepared(config);
                case "rollback":
                    return settle(config, gids, all, yes, false);
                case "commit":
                    return settle(config, gids, false, yes, true);
                default:
                    return JSON.objectNode().put("error", "unknown command '" + command + "'\n" + USAGE);
            }
        } catch (SQLException | RuntimeException e) {
            return JSON.objectNode().put("command", command).put("error", e.getMessage());
        }
    }

    private static Connection source(JobConfig config) throws SQLException {
        return Connections.open(config.get(SourceOptions.URL), ReplicationJob.sourceConnectionProperties(config));
    }

    static ObjectNode list(JobConfig config) throws SQLException {
        ObjectNode out = JSON.objectNode().put("source", Connections.redact(config.get(SourceOptions.URL)))
                .put("slot", config.get(SourceOptions.SLOT_NAME)).put("publication", config.get(SourceOptions.PUBLICATION));
        try (Connection c = source(config)) {
            out.set("slots", SourceInspector.slots(c));
            out.set("snapshotSlots", SourceInspector.snapshotSlots(c, config.get(SourceOptions.SLOT_NAME)));
            out.set("publications", SourceInspector.publications(c));
        }
        out.setAll(prepared(config));
        return out;
    }

    static ObjectNode create(JobConfig config) {
        List<TableInfo> tables = Preflight.prepareSource(config);
        ObjectNode out = JSON.objectNode().put("created", true).put("slot", config.get(SourceOptions.SLOT_NAME))
                .put("publication", config.get(SourceOptions.PUBLICATION));
        ArrayNode names = out.putArray("tables");
        tables.forEach(t -> names.add(t.id().toString()));
        return out;
    }

    static ObjectNode drop(JobConfig config, boolean yes) throws SQLException {
        String slot = config.get(SourceOptions.SLOT_NAME);
        String publication = config.get(SourceOptions.PUBLICATION);
        ObjectNode out = JSON.objectNode();
        try (Connection c = source(config)) {
            c.setAutoCommit(true);
            List<String> slots = new ArrayList<>();
            if (SourceInspector.slot(c, slot).path("exists").asBoolean()) {
                slots.add(slot);
            }
            SourceInspector.snapshotSlots(c, slot).forEach(n -> slots.add(n.path("name").asText()));
            for (String s : slots) {
                if (isActive(c, s)) {
                    return out.put("error", "Slot " + s + " is in use: stop the job first (flink stop / cancel)");
                }
            }
            boolean hasPublication;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
                ps.setString(1, publication);
                try (ResultSet rs = ps.executeQuery()) {
                    hasPublication = rs.next();
                }
            }
            ArrayNode slotNames = out.putArray("slots");
            slots.forEach(slotNames::add);
            out.put("publication", hasPublication ? publication : null);
            if (!yes) {
                return out.put("dropped", false).put("note", "Dropping the slot loses the job's place in the WAL:"
                        + " the job must then start without state (a new snapshot). Run again with --yes to drop.");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                for (String s : slots) {
                    ps.setString(1, s);
                    ps.execute();
                }
            }
            if (hasPublication) {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP PUBLICATION " + TableId.quote(publication));
                }
            }
            return out.put("dropped", true);
        }
    }

    private static boolean isActive(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    static ObjectNode prepared(JobConfig config) throws SQLException {
        ObjectNode out = JSON.objectNode();
        ArrayNode targets = out.putArray("preparedTransactions");
        for (Map.Entry<String, TargetConfig> t : StatusCommand.targets(config).entrySet()) {
            try (Connection c = TargetInspector.connect(t.getValue())) {
                ObjectNode target = TargetInspector.describe(t.getKey(), t.getValue());
                target.set("transactions", TargetInspector.prepared(c));
                targets.add(target);
            }
        }
        out.put("warning", SETTLE_WARNING);
        return out;
    }

    /** Rolls back or commits the named transactions (or, for rollback, all of this job's). */
    static ObjectNode settle(JobConfig config, List<String> gids, boolean all, boolean yes, boolean commit)
            throws SQLException {
        String job = config.get(JobOptions.JOB_NAME);
        ObjectNode out = JSON.objectNode().put("action", commit ? "commit" : "rollback").put("warning", SETTLE_WARNING);
        if (gids.isEmpty() && !all) {
            return out.put("error", "name the transactions (see 'prepared'), or --all for every one of job " + job);
        }
        ArrayNode done = out.putArray("settled");
        ArrayNode pending = out.putArray("wouldSettle");
        for (Map.Entry<String, TargetConfig> t : StatusCommand.targets(config).entrySet()) {
            try (Connection c = TargetInspector.connect(t.getValue())) {
                c.setAutoCommit(true);
                for (var node : TargetInspector.prepared(c)) {
                    String gid = node.path("gid").asText();
                    boolean ofJob = gid.contains(":" + job + ":") && gid.startsWith("walflow:");
                    if (!(gids.contains(gid) || (all && ofJob))) {
                        continue;
                    }
                    if (!yes) {
                        pending.add(gid);
                        continue;
                    }
                    if (commit) {
                        Transactions.commitPrepared(c, gid);
                    } else {
                        Transactions.rollbackPrepared(c, gid);
                    }
                    done.add(gid);
                }
            }
        }
        if (!yes) {
            out.put("note", "Nothing changed. Read the warning, then run again with --yes.");
        }
        return out;
    }
}
