package dev.walflow.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks that change_history is complete for a key range: for every source row, the last
 * recorded change of its key is an INSERT, UPDATE or SNAPSHOT (or a synthetic one) whose data
 * equals the row now. A row with no change at all was written before replication (or history)
 * began; a row whose last change differs lost one. Like target rows, a difference counts only
 * once history has caught up past the source position it was seen at.
 *
 * <p>With repair, each such row gets a synthetic change: operation INSERT (no history) or
 * UPDATE (stale history), the current row as data, {@code metadata.synthetic = true} with the
 * reason and the run's id. It is written while the source row is locked, once history has
 * applied everything before the source's WAL position L, at position (lsn of the key's last
 * change or 0/0, change_lsn L, a negative ordinal): after every earlier change of the row and
 * before any later one (whose own change_lsn lies above L and whose lsn, the end of the commit
 * before it, lies above every earlier change's).
 */
final class HistoryChecker {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection source;
    private final Connection history;
    private final TableSql sql;
    private final VerifySettings settings;
    private final TargetCatchUp catchUp;
    private final String historyTable;

    HistoryChecker(Connection source, Connection history, TableSql sql, VerifySettings settings, TargetCatchUp catchUp) {
        this.source = source;
        this.history = history;
        this.sql = sql;
        this.settings = settings;
        this.catchUp = catchUp;
        this.historyTable = settings.history().walflowSchema() + ".change_history";
    }

    /** The last recorded change of a key. */
    private static final class Last {
        final String operation;
        final String data;
        final String lsn;

        Last(String operation, String data, String lsn) {
            this.operation = operation;
            this.data = data;
            this.lsn = lsn;
        }
    }

    void check(KeyRange range, RangeResult result) throws SQLException, InterruptedException {
        Map<String, String> images = new LinkedHashMap<>();
        try (PreparedStatement ps = source.prepareStatement(sql.historyImages(range))) {
            TableSql.bind(ps, range);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    images.put(keyJson(rs), rs.getString(sql.keySize() + 1));
                }
            }
        }
        Map<String, String> suspects = stale(images, last(images.keySet()));
        if (suspects.isEmpty()) {
            return;
        }
        if (!catchUp.await(TargetCatchUp.sourcePosition(source), settings.lagTimeout())) {
            result.lagging += suspects.size();
            return;
        }
        Map<String, String> now = new LinkedHashMap<>();
        for (String key : suspects.keySet()) {
            String image = image(key, false);
            if (image != null) {
                now.put(key, image);
            }
        }
        Map<String, Last> lastNow = last(now.keySet());
        Map<String, String> confirmed = new LinkedHashMap<>();
        stale(now, lastNow).forEach((key, image) -> {
            if (image.equals(suspects.get(key))) {
                confirmed.put(key, image);
            }
        });
        for (String key : confirmed.keySet()) {
            if (lastNow.containsKey(key)) {
                result.staleHistory++;
            } else {
                result.missingHistory++;
            }
            if (result.rows.size() < settings.maxReportedRows()) {
                RangeResult.Row row = new RangeResult.Row();
                row.kind = lastNow.containsKey(key) ? "stale_history" : "missing_history";
                row.key = keyList(key);
                row.source = confirmed.get(key);
                row.target = lastNow.containsKey(key) ? lastNow.get(key).operation + " " + lastNow.get(key).data : null;
                result.rows.add(row);
            }
        }
        if (settings.repair() && !confirmed.isEmpty()) {
            int written = synthesize(new ArrayList<>(confirmed.keySet()));
            result.syntheticChanges += written;
            if (written == confirmed.size()) {
                result.rows.forEach(r -> r.repaired |= r.kind.endsWith("_history"));
            }
        }
    }

    /** Keys (as change_history's row_key text) whose last change does not show the image. */
    private static Map<String, String> stale(Map<String, String> images, Map<String, Last> last) {
        Map<String, String> out = new LinkedHashMap<>();
        images.forEach((key, image) -> {
            Last l = last.get(key);
            if (l == null || !matches(l, image)) {
                out.put(key, image);
            }
        });
        return out;
    }

    /**
     * Whether a recorded change leaves the row as {@code image}: not a DELETE, and each value it
     * holds equal (unchanged TOAST values are left out of history and not compared).
     */
    private static boolean matches(Last last, String image) {
        if (last.operation.equals("DELETE") || last.operation.equals("TRUNCATE") || last.data == null) {
            return false;
        }
        try {
            JsonNode recorded = JSON.readTree(last.data);
            JsonNode current = JSON.readTree(image);
            Iterator<Map.Entry<String, JsonNode>> fields = recorded.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (!Objects.equals(f.getValue(), current.get(f.getKey()))) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Map<String, Last> last(Iterable<String> keys) throws SQLException {
        List<String> list = new ArrayList<>();
        keys.forEach(list::add);
        Map<String, Last> out = new LinkedHashMap<>();
        if (list.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = history.prepareStatement(
                "SELECT DISTINCT ON (row_key) row_key::text, operation, data::text, lsn::text FROM " + historyTable
                        + " WHERE table_name = ? AND row_key = ANY(?::text[]::jsonb[])"
                        + " ORDER BY row_key, lsn DESC, change_lsn DESC, ordinal DESC")) {
            ps.setString(1, sql.table().id().eventName());
            ps.setArray(2, history.createArrayOf("text", list.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(normalise(rs.getString(1)), new Last(rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        return out;
    }

    /** Writes synthetic changes for the keys; returns how many were written. */
    private int synthesize(List<String> keys) throws SQLException, InterruptedException {
        source.setAutoCommit(false);
        try {
            try (Statement s = source.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '10s'");
            }
            Map<String, String> images = new LinkedHashMap<>();
            for (String key : keys) {
                String image = image(key, true);
                if (image != null) {
                    images.put(key, image);
                }
            }
            String lsn = TargetCatchUp.sourcePosition(source);
            if (!catchUp.await(lsn, settings.lagTimeout())) {
                return 0;
            }
            Map<String, Last> last = last(images.keySet());
            Map<String, String> still = stale(images, last);
            int written = 0;
            history.setAutoCommit(false);
            try (PreparedStatement ps = history.prepareStatement("INSERT INTO " + historyTable
                    + " (lsn, change_lsn, ordinal, table_name, operation, row_key, data, schema_version, metadata)"
                    + " VALUES (?::pg_lsn, ?::pg_lsn, ?, ?, ?, ?::jsonb, ?::jsonb, 0, ?::jsonb) ON CONFLICT DO NOTHING")) {
                int ordinal = -1;
                for (Map.Entry<String, String> e : still.entrySet()) {
                    Last l = last.get(e.getKey());
                    ObjectNode meta = JSON.createObjectNode();
                    meta.put("synthetic", true);
                    meta.put("reason", l == null ? "no_history" : "stale_history");
                    meta.put("health_check_id", settings.checkId());
                    ps.setString(1, l == null ? "0/0" : l.lsn);
                    ps.setString(2, lsn);
                    ps.setInt(3, ordinal--);
                    ps.setString(4, sql.table().id().eventName());
                    ps.setString(5, l == null ? "INSERT" : "UPDATE");
                    ps.setString(6, e.getKey());
                    ps.setString(7, e.getValue());
                    ps.setString(8, meta.toString());
                    written += ps.executeUpdate();
                }
                history.commit();
            } catch (SQLException | RuntimeException e) {
                history.rollback();
                throw e;
            } finally {
                history.setAutoCommit(true);
            }
            return written;
        } finally {
            source.rollback();
            source.setAutoCommit(true);
        }
    }

    /** The source row's image now (optionally locking it), or null when it is gone. */
    private String image(String keyJson, boolean lock) throws SQLException {
        List<String> key = keyList(keyJson);
        try (PreparedStatement ps = source.prepareStatement(
                lock ? sql.historyImageByKey() + " FOR SHARE" : sql.historyImageByKey())) {
            for (int i = 0; i < key.size(); i++) {
                ps.setString(i + 1, key.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private String keyJson(ResultSet rs) throws SQLException {
        ArrayNode key = JSON.createArrayNode();
        for (int i = 0; i < sql.keySize(); i++) {
            key.add(rs.getString(i + 1));
        }
        return key.toString();
    }

    /** jsonb prints arrays with spaces after commas; compare keys in Jackson's compact form. */
    private static String normalise(String json) {
        try {
            return JSON.readTree(json).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> keyList(String keyJson) {
        try {
            List<String> key = new ArrayList<>();
            for (JsonNode v : JSON.readTree(keyJson)) {
                key.add(v.isNull() ? null : v.asText());
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
