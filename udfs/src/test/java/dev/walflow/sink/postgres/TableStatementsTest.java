package dev.walflow.sink.postgres;

import dev.walflow.schema.ColumnInfo;
import dev.walflow.schema.TableId;
import dev.walflow.schema.TableInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TableStatementsTest {

    private static ColumnInfo column(String name, String castType, String typeName) {
        return new ColumnInfo(name, castType, castType, typeName, false, true, false);
    }

    private static final TableStatements STATEMENTS =
            new TableStatements(
                    new TableInfo(
                            new TableId("public", "orders"),
                            List.of(
                                    column("id", "pg_catalog.int8", "int8"),
                                    column("Note", "pg_catalog.text", "text"),
                                    column("flag", "pg_catalog.\"char\"", "char"),
                                    column("rel", "pg_catalog.regclass", "regclass")),
                            List.of("id"),
                            TableInfo.ReplicaIdentity.DEFAULT));

    @Test
    void bulkUpsertCastsEveryElementAndUpdatesLikeTheRowUpsert() {
        assertThat(STATEMENTS.bulkUpsert(List.of("id", "Note")))
                .isEqualTo("INSERT INTO \"public\".\"orders\" (\"id\", \"Note\") SELECT u.v0::pg_catalog.int8,"
                        + " u.v1::pg_catalog.text FROM unnest(?::text[], ?::text[]) AS u(v0, v1)"
                        + " ON CONFLICT (\"id\") DO UPDATE SET \"Note\" = EXCLUDED.\"Note\"");
        assertThat(STATEMENTS.upsert(List.of("id", "Note")))
                .endsWith(" ON CONFLICT (\"id\") DO UPDATE SET \"Note\" = EXCLUDED.\"Note\"");
    }

    @Test
    void typesWhoseTextCastDiffersFromTheirInputStayOnBoundRows() {
        assertThat(STATEMENTS.castsTextLikeInput("id")).isTrue();
        assertThat(STATEMENTS.castsTextLikeInput("Note")).isTrue();
        assertThat(STATEMENTS.castsTextLikeInput("flag")).isFalse();
        assertThat(STATEMENTS.castsTextLikeInput("rel")).isFalse();
    }

    @Test
    void keyLookupCastsEachKeyColumnInTheTargetsKeyOrder() {
        TableStatements composite = new TableStatements(
                new TableInfo(
                        new TableId("public", "lines"),
                        List.of(column("order", "pg_catalog.int8", "int8"), column("Line", "pg_catalog.text", "text")),
                        List.of("Line", "order"),
                        TableInfo.ReplicaIdentity.DEFAULT));
        assertThat(composite.anyKeyPresent())
                .isEqualTo("SELECT 1 FROM \"public\".\"lines\" WHERE (\"Line\", \"order\") IN (SELECT"
                        + " u.v0::pg_catalog.text, u.v1::pg_catalog.int8 FROM unnest(?::text[], ?::text[]) AS u(v0, v1)) LIMIT 1");
        assertThat(STATEMENTS.anyRow()).isEqualTo("SELECT 1 FROM \"public\".\"orders\" LIMIT 1");
    }
}
