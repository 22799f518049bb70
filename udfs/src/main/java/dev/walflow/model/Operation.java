package dev.walflow.model;

/** What a {@link ChangeEvent} did to its row (or table, for TRUNCATE). */
public enum Operation {
    /** A row read by the initial snapshot. */
    SNAPSHOT,
    INSERT,
    UPDATE,
    DELETE,
    /** Every row of the table removed; carries no row image. */
    TRUNCATE
}
