package dev.walflow.schema;

import java.io.Serializable;

/** A column as the catalog describes it. */
public final class ColumnInfo implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final String declaredType;
    private final String castType;
    private final String typeName;
    private final boolean notNull;
    private final boolean hasEquality;
    private final boolean toastable;

    public ColumnInfo(
            String name,
            String declaredType,
            String castType,
            String typeName,
            boolean notNull,
            boolean hasEquality,
            boolean toastable) {
        this.name = name;
        this.declaredType = declaredType;
        this.castType = castType;
        this.typeName = typeName;
        this.notNull = notNull;
        this.hasEquality = hasEquality;
        this.toastable = toastable;
    }

    public String name() {
        return name;
    }

    /** The type with its modifiers, as in DDL: {@code numeric(38,10)}, {@code character(5)}. */
    public String declaredType() {
        return declaredType;
    }

    /**
     * The type by its catalog name, without modifiers, safe in {@code ?::type}: a cast to {@code
     * character} or {@code bit} means length 1 and would cut or refuse the value, while {@code
     * pg_catalog.bpchar} and {@code pg_catalog."bit"} take it whole (the column applies its own
     * length on assignment).
     */
    public String castType() {
        return castType;
    }

    /** {@code pg_type.typname}, as Debezium reports it: {@code int4}, {@code _text}. */
    public String typeName() {
        return typeName;
    }

    public boolean notNull() {
        return notNull;
    }

    /** False for types such as json that have no equality operator. */
    public boolean hasEquality() {
        return hasEquality;
    }

    /**
     * True for variable-length types ({@code typlen = -1}): only their values can be stored out
     * of line, and so be missing from the WAL as unchanged TOAST.
     */
    public boolean toastable() {
        return toastable;
    }
}
