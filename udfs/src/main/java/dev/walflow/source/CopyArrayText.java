package dev.walflow.source;

import java.util.function.UnaryOperator;

/**
 * Rewrites an array as PostgreSQL prints it ({@code {1,NULL,"a b"}}, elements quoted only when
 * they must be) into the form {@link PgText} gives streamed and driver-read arrays: every
 * non-NULL element quoted and escaped, each normalized like a scalar of the element type. An
 * explicit lower bound ({@code [0:1]={...}}) is dropped, as the other paths drop it.
 */
final class CopyArrayText {

    private final String text;
    private final UnaryOperator<String> element;
    private final StringBuilder out;
    private int pos;

    private CopyArrayText(String text, UnaryOperator<String> element) {
        this.text = text;
        this.element = element;
        this.out = new StringBuilder(text.length() + 16);
    }

    static String normalize(String text, UnaryOperator<String> element) {
        CopyArrayText a = new CopyArrayText(text, element);
        if (text.startsWith("[")) {
            a.pos = text.indexOf('=') + 1;
        }
        a.array();
        return a.out.toString();
    }

    private void array() {
        expect('{');
        out.append('{');
        if (text.charAt(pos) == '}') {
            pos++;
            out.append('}');
            return;
        }
        while (true) {
            char c = text.charAt(pos);
            if (c == '{') {
                array();
            } else if (c == '"') {
                quotedElement();
            } else {
                plainElement();
            }
            char next = text.charAt(pos++);
            if (next == '}') {
                out.append('}');
                return;
            }
            if (next != ',') {
                throw new IllegalArgumentException("Unexpected '" + next + "' in array " + text);
            }
            out.append(',');
        }
    }

    private void quotedElement() {
        pos++;
        StringBuilder value = new StringBuilder();
        while (true) {
            char c = text.charAt(pos++);
            if (c == '"') {
                break;
            }
            value.append(c == '\\' ? text.charAt(pos++) : c);
        }
        append(value.toString());
    }

    private void plainElement() {
        int start = pos;
        while (text.charAt(pos) != ',' && text.charAt(pos) != '}') {
            pos++;
        }
        String value = text.substring(start, pos);
        if (value.equalsIgnoreCase("NULL")) {
            out.append("NULL");
        } else {
            append(value);
        }
    }

    private void append(String value) {
        PgText.appendArrayElement(out, element.apply(value));
    }

    private void expect(char c) {
        if (text.charAt(pos++) != c) {
            throw new IllegalArgumentException("Expected '" + c + "' at " + (pos - 1) + " in array " + text);
        }
    }
}
