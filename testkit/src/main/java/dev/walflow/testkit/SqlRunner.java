package dev.walflow.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Small JDBC helpers for tests and tools: run statements, read rows as text. */
public final class SqlRunner {

    private SqlRunner() {}

    public static void execute(Connection connection, String... statements) {
        try (Statement s = connection.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Failed to run SQL: " + String.join("; ", statements), e);
        }
    }

    /** Every row of a query, each column as PostgreSQL's text output (null for NULL). */
    public static List<List<String>> rows(Connection connection, String query) {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<List<String>> rows = new ArrayList<>();
            while (rs.next()) {
                List<String> row = new ArrayList<>(meta.getColumnCount());
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("Failed to query: " + query, e);
        }
    }

    public static long queryLong(Connection connection, String query) {
        List<List<String>> rows = rows(connection, query);
        if (rows.isEmpty() || rows.get(0).get(0) == null) {
            throw new IllegalStateException("No value from: " + query);
        }
        return Long.parseLong(rows.get(0).get(0));
    }

    public static String queryString(Connection connection, String query) {
        List<List<String>> rows = rows(connection, query);
        return rows.isEmpty() ? null : rows.get(0).get(0);
    }
}
