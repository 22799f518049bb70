package dev.walflow.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * What one key range showed: counts by kind and the first rows of each, as the JSON text the
 * verify job's ranges send to the client (plain text keeps Flink's serializer out of the way).
 */
public final class RangeResult extends VerifyCounts {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A reported row. */
    public static final class Row {
        public String kind;
        public List<String> key;
        public String source;
        public String target;
        public boolean repaired;

        public Row() {}

        Row(RowDiff d, boolean repaired) {
            this.kind = d.kind().name().toLowerCase();
            this.key = d.key;
            this.source = d.sourceRow;
            this.target = d.targetRow;
            this.repaired = repaired;
        }
    }

    public String table;
    public String range;
    public List<Row> rows = new ArrayList<>();
    public List<String> errors = new ArrayList<>();

    public RangeResult() {}

    RangeResult(String table, String range) {
        this.table = table;
        this.range = range;
    }

    void add(RowDiff d, boolean repaired, int maxRows) {
        switch (d.kind()) {
            case MISSING:
                missing++;
                break;
            case EXTRA:
                extra++;
                break;
            default:
                different++;
        }
        if (repaired) {
            this.repaired++;
        }
        if (rows.size() < maxRows) {
            rows.add(new Row(d, repaired));
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot render the result of " + range, e);
        }
    }

    public static RangeResult fromJson(String json) {
        try {
            return JSON.readValue(json, RangeResult.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot read a range result: " + json, e);
        }
    }
}
