package dev.walflow.source;

import java.nio.charset.StandardCharsets;

/**
 * Splits one row of {@code COPY ... TO STDOUT} (text format, UTF-8) into its values: columns
 * separated by tabs, {@code \N} for NULL, backslash escapes for the characters the format
 * reserves. The values are PostgreSQL's own output for each type.
 */
final class CopyTextRow {

    private CopyTextRow() {}

    /**
     * @param row one data message of the COPY, with or without its final newline
     * @param columns how many values the row must have
     * @throws IllegalArgumentException when the row has another number of values
     */
    static String[] parse(byte[] row, int columns) {
        int end = row.length;
        if (end > 0 && row[end - 1] == '\n') {
            end--;
        }
        String[] values = new String[columns];
        int column = 0;
        int start = 0;
        boolean escaped = false;
        for (int i = 0; i <= end; i++) {
            if (i == end || row[i] == '\t') {
                if (column == columns) {
                    throw new IllegalArgumentException("COPY row has more than " + columns + " values");
                }
                values[column++] = value(row, start, i, escaped);
                start = i + 1;
                escaped = false;
            } else if (row[i] == '\\') {
                escaped = true;
                i++; // the escaped byte is never a separator
            }
        }
        if (column != columns) {
            throw new IllegalArgumentException("COPY row has " + column + " values, expected " + columns);
        }
        return values;
    }

    private static String value(byte[] row, int from, int to, boolean escaped) {
        if (!escaped) {
            return new String(row, from, to - from, StandardCharsets.UTF_8);
        }
        if (to - from == 2 && row[from + 1] == 'N') {
            return null;
        }
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = row[i];
            if (b != '\\' || i + 1 == to) {
                out[n++] = b;
                continue;
            }
            byte e = row[++i];
            switch (e) {
                case 'b' -> out[n++] = '\b';
                case 'f' -> out[n++] = '\f';
                case 'n' -> out[n++] = '\n';
                case 'r' -> out[n++] = '\r';
                case 't' -> out[n++] = '\t';
                case 'v' -> out[n++] = 0x0b;
                case 'x' -> {
                    int v = 0;
                    int digits = 0;
                    while (digits < 2 && i + 1 < to && Character.digit(row[i + 1], 16) >= 0) {
                        v = v * 16 + Character.digit(row[++i], 16);
                        digits++;
                    }
                    out[n++] = digits == 0 ? (byte) 'x' : (byte) v;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int digits = 1; digits < 3 && i + 1 < to && row[i + 1] >= '0' && row[i + 1] <= '7'; digits++) {
                            v = v * 8 + (row[++i] - '0');
                        }
                        out[n++] = (byte) v;
                    } else {
                        out[n++] = e; // \\ and any other escaped byte stand for themselves
                    }
                }
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }
}
