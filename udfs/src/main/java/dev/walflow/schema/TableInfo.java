package dev.walflow.schema;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A table's columns, primary key and replica identity, read from the catalog. */
public final class TableInfo implements Serializable {

    private static final long serialVersionUID = 1L;

    /** {@code pg_class.relreplident}: d default, f full, i index, n nothing. */
    public enum ReplicaIdentity {
        DEFAULT,
        FULL,
        INDEX,
        NOTHING
    }

    private final TableId id;
    private final List<ColumnInfo> columns;
    private final List<String> primaryKey;
    private final ReplicaIdentity replicaIdentity;

    public TableInfo(
            TableId id,
            List<ColumnInfo> columns,
            List<String> primaryKey,
            ReplicaIdentity replicaIdentity) {
        this.id = id;
        this.columns = Collections.unmodifiableList(new ArrayList<>(columns));
        this.primaryKey = Collections.unmodifiableList(new ArrayList<>(primaryKey));
        this.replicaIdentity = replicaIdentity;
    }

    public TableId id() {
        return id;
    }

    public List<ColumnInfo> columns() {
        return columns;
    }

    public List<String> primaryKey() {
        return primaryKey;
    }

    public ReplicaIdentity replicaIdentity() {
        return replicaIdentity;
    }

    public ColumnInfo column(String name) {
        for (ColumnInfo c : columns) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** Whether changes can be matched to target rows: a primary key or REPLICA IDENTITY FULL. */
    public boolean isReplicable() {
        return !primaryKey.isEmpty() || replicaIdentity == ReplicaIdentity.FULL;
    }
}
