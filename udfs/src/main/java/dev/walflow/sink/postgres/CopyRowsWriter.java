package dev.walflow.sink.postgres;

import dev.walflow.model.ChangeEvent;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * Sends whole rows to {@code COPY ... FROM STDIN} in its text format: values separated by tabs,
 * {@code \N} for NULL, backslash escapes for backslash, tab, newline and carriage return.
 */
final class CopyRowsWriter {

    /** Bytes gathered before each write to the server. */
    private static final int CHUNK = 1 << 16;

    private CopyRowsWriter() {}

    /** @return rows the server reports copied */
    static long copy(Connection connection, String sql, List<ChangeEvent> rows) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            Buffer buffer = new Buffer();
            for (ChangeEvent row : rows) {
                String[] values = row.after;
                for (int i = 0; i < values.length; i++) {
                    if (i > 0) {
                        buffer.put((byte) '\t');
                    }
                    buffer.putValue(values[i]);
                }
                buffer.put((byte) '\n');
                if (buffer.size >= CHUNK) {
                    copy.writeToCopy(buffer.bytes, 0, buffer.size);
                    buffer.size = 0;
                }
            }
            copy.writeToCopy(buffer.bytes, 0, buffer.size);
            return copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** A growing byte array, reused for every chunk of one COPY. */
    private static final class Buffer {
        byte[] bytes = new byte[CHUNK + 1024];
        int size;

        void put(byte b) {
            ensure(1);
            bytes[size++] = b;
        }

        void putValue(String value) {
            if (value == null) {
                ensure(2);
                bytes[size++] = '\\';
                bytes[size++] = 'N';
                return;
            }
            int length = value.length();
            ensure(length * 2);
            int start = size;
            for (int i = 0; i < length; i++) {
                char c = value.charAt(i);
                if (c >= 0x80) {
                    size = start; // not ASCII: encode the whole value
                    putEscaped(value.getBytes(StandardCharsets.UTF_8));
                    return;
                }
                putEscaped((byte) c);
            }
        }

        private void putEscaped(byte[] utf8) {
            ensure(utf8.length * 2);
            for (byte b : utf8) {
                putEscaped(b);
            }
        }

        /** Room for two bytes must have been ensured. */
        private void putEscaped(byte b) {
            switch (b) {
                case '\\' -> { bytes[size++] = '\\'; bytes[size++] = '\\'; }
                case '\t' -> { bytes[size++] = '\\'; bytes[size++] = 't'; }
                case '\n' -> { bytes[size++] = '\\'; bytes[size++] = 'n'; }
                case '\r' -> { bytes[size++] = '\\'; bytes[size++] = 'r'; }
                default -> bytes[size++] = b;
            }
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }
    }
}
