package dev.walflow.source;

import dev.walflow.model.ChangeEvent;

/**
 * The value of a snapshot record read by {@link CopyChunkReader}: the row's event, already
 * built, in place of Debezium's struct, and the source database's name (for the connector's
 * per-table metrics). Only {@link ChangeRecordEmitter} opens it.
 */
public record SnapshotRow(ChangeEvent event, String database) {}
