package dev.walflow.job.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.walflow.jdbc.Connections;
import dev.walflow.job.ReplicationJob;
import dev.walflow.job.config.HistoryOptions;
import dev.walflow.job.config.JobOptions;
import dev.walflow.job.config.SourceOptions;
import dev.walflow.sink.txn.TargetConfig;

import java.io.PrintStream;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code deploy/status.sh}: one JSON document on how a walflow job stands (seed 000's status):
 * the slot and its lag (write, flush, replay), retained WAL, each target's committed progress
 * and its age, walflow's prepared transactions, and from Flink's REST API the job's state, last
 * completed checkpoint and failures by type. A part that cannot be read carries an "error"
 * field; "problems" lists what needs an operator.
 */
public final class StatusCommand {

    static final Set<String> VALUE_FLAGS = Set.of("flink-rest", "flink-job");

    private StatusCommand() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || List.of(args).contains("--help")) {
            System.out.println("Usage: deploy/status.sh --config FILE [--key value ...] [--flink-rest http://host:8081]"
                    + " [--flink-job NAME_OR_ID]\nPrints the job's status as JSON (see README, Operating).");
            return;
        }
        ToolArgs a = new ToolArgs(args, VALUE_FLAGS, Set.of(), System.getenv());
        ObjectNode status = status(a.config, a.flag("flink-rest", "http://localhost:8081"),
                a.flag("flink-job", a.config.get(JobOptions.JOB_NAME)));
        print(status, System.out);
    }

    static void print(ObjectNode json, PrintStream out) throws Exception {
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
    }

    public static ObjectNode status(dev.walflow.job.config.JobConfig config, String flinkRest, String flinkJob) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode out = mapper.createObjectNode();
        ArrayNode problems = mapper.createArrayNode();
        out.put("job", config.get(JobOptions.JOB_NAME));
        String slotName = config.get(SourceOptions.SLOT_NAME);
        long sourceLsn = -1;
        ObjectNode source = out.putObject("source").put("url", Connections.redact(config.get(SourceOptions.URL)));
        try (Connection c = Connections.open(config.get(SourceOptions.URL), ReplicationJob.sourceConnectionProperties(config))) {
            sourceLsn = SourceInspector.currentLsn(c);
            source.put("currentLsn", SourceInspector.lsnText(sourceLsn));
            ObjectNode slot = SourceInspector.slot(c, slotName);
            out.set("slot", slot);
            long limit = config.get(SourceOptions.SLOT_MAX_RETAINED_WAL).getBytes();
            if (!slot.path("exists").asBoolean()) {
                problems.add("slot " + slotName + " does not exist: a job resuming from state will refuse to start; re-snapshot");
            } else {
                if ("lost".equals(slot.path("walStatus").asText())) {
                    problems.add("slot " + slotName + " is invalidated (wal_status=lost): re-snapshot");
                }
                if (limit > 0 && slot.path("retainedWalBytes").asLong() > limit) {
                    problems.add("slot " + slotName + " retains " + slot.path("retainedWalBytes").asLong()
                            + " bytes of WAL, over " + SourceOptions.SLOT_MAX_RETAINED_WAL.key() + " (" + limit + ")");
                }
            }
            out.set("snapshotSlots", SourceInspector.snapshotSlots(c, slotName));
        } catch (Exception e) {
            source.put("error", e.getMessage());
            problems.add("source unreachable: " + e.getMessage());
        }
        ArrayNode targets = out.putArray("targets");
        int prepared = 0;
        for (Map.Entry<String, TargetConfig> t : targets(config).entrySet()) {
            ObjectNode target = TargetInspector.describe(t.getKey(), t.getValue());
            targets.add(target);
            try (Connection c = TargetInspector.connect(t.getValue())) {
                target.set("progress", TargetInspector.progress(c, t.getValue(), sourceLsn));
                ArrayNode xacts = TargetInspector.prepared(c);
                target.set("preparedTransactions", xacts);
                prepared += xacts.size();
            } catch (Exception e) {
                target.put("error", e.getMessage());
                problems.add(t.getKey() + " database unreachable: " + e.getMessage());
            }
        }
        try {
            ObjectNode flink = new FlinkJobInspector(flinkRest).describe(flinkJob);
            out.set("flink", flink);
            if (!"RUNNING".equals(flink.path("state").asText())) {
                problems.add("Flink job " + flinkJob + " is " + flink.path("state").asText());
            }
            out.set("errors", flink.path("errors"));
        } catch (Exception e) {
            out.putObject("flink").put("rest", flinkRest).put("error", String.valueOf(e.getMessage()));
            problems.add("Flink REST API unreachable at " + flinkRest + ": " + e.getMessage());
        }
        out.put("preparedTransactions", prepared);
        out.set("problems", problems);
        out.put("healthy", problems.isEmpty());
        return out;
    }

    /** The job's PostgreSQL targets by role; change_history's only when it is a database of its own. */
    static Map<String, TargetConfig> targets(dev.walflow.job.config.JobConfig config) {
        TargetConfig sink = ReplicationJob.sinkConfig(config);
        Map<String, TargetConfig> targets = new java.util.LinkedHashMap<>();
        targets.put("postgres", sink);
        if (config.get(HistoryOptions.ENABLED)) {
            TargetConfig history = ReplicationJob.historyConfig(config);
            if (!history.url().equals(sink.url())) {
                targets.put("history", history);
            }
        }
        return targets;
    }
}
