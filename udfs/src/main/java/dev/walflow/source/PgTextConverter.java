package dev.walflow.source;

import dev.walflow.model.ChangeEvent;
import io.debezium.connector.postgresql.UnchangedToastedReplicationMessageColumn;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import org.apache.kafka.connect.data.SchemaBuilder;

import java.util.Properties;

/**
 * A Debezium converter that turns every column value into PostgreSQL's own text form, the form
 * a target accepts back through {@code ?::type} unchanged.
 *
 * <p>Why: Debezium's own conversions are lossy for walflow's purpose (interval seconds as a
 * double, bit strings without their length, timestamps as epoch numbers), and Flink CDC's
 * snapshot reads values with {@code ResultSet.getObject}, which turns {@code numeric} NaN into
 * an error and NULL and infinite dates into sentinel numbers. Both the snapshot and the
 * streaming path reach this converter with the driver's or decoder's objects, and {@link
 * PgText} maps each back to one canonical text.
 *
 * <p>An unchanged TOAST value (absent from the WAL) becomes {@link ChangeEvent#UNCHANGED_TOAST}, a
 * string PostgreSQL text can never hold, so no placeholder is ever written to a target.
 */
public final class PgTextConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {

    @Override
    public void configure(Properties props) {}

    @Override
    public void converterFor(
            RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        String typeName = column.typeName();
        registration.register(
                SchemaBuilder.string().optional(),
                raw -> {
                    if (raw == UnchangedToastedReplicationMessageColumn.UNCHANGED_TOAST_VALUE) {
                        return ChangeEvent.UNCHANGED_TOAST;
                    }
                    return PgText.format(typeName, raw);
                });
    }
}
