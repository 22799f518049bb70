package org.apache.flink.cdc.connectors.postgres.source.utils;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.RowType;

import io.debezium.relational.Column;
import io.debezium.relational.Table;

import javax.annotation.Nullable;

import java.util.List;
import java.util.stream.Collectors;

/**
 * walflow's replacement for Flink CDC 3.5's class of the same name (it must stay first on the
 * classpath, as Flink CDC's own replacements of Debezium classes do).
 *
 * <p>Flink CDC takes one chunk-key column for all tables and refuses a table without a primary
 * key unless that column is set, so a job capturing both kinds of table cannot start. walflow
 * captures key-less tables with REPLICA IDENTITY FULL, and reads snapshots without backfill, so
 * any column that orders rows will do: the configured one where the table has it, else the
 * first primary-key column, else the table's first NOT NULL column, else its first column (a
 * nullable chunk key loses NULL rows when the table spans several chunks; the job warns).
 */
public class ChunkUtils {

    private ChunkUtils() {}

    public static RowType getSplitType(Column splitColumn) {
        return (RowType)
                DataTypes.ROW(
                                DataTypes.FIELD(
                                        splitColumn.name(),
                                        PostgresTypeUtils.fromDbzColumn(splitColumn)))
                        .getLogicalType();
    }

    public static Column getSplitColumn(Table table, @Nullable String chunkKeyColumn) {
        List<Column> columns = table.columns();
        if (chunkKeyColumn != null) {
            for (Column column : columns) {
                if (column.name().equals(chunkKeyColumn)) {
                    return column;
                }
            }
        }
        if (!table.primaryKeyColumns().isEmpty()) {
            return table.primaryKeyColumns().get(0);
        }
        for (Column column : columns) {
            if (!column.isOptional()) {
                return column;
            }
        }
        if (columns.isEmpty()) {
            throw new ValidationException(
                    "Table " + table.id() + " has no columns to split its snapshot by.");
        }
        if (chunkKeyColumn != null) {
            throw new ValidationException(
                    String.format(
                            "Chunk key column '%s' does not exist in table %s (columns: %s).",
                            chunkKeyColumn,
                            table.id(),
                            columns.stream().map(Column::name).collect(Collectors.joining(","))));
        }
        return columns.get(0);
    }
}
