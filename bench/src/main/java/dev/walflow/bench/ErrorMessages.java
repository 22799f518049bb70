package dev.walflow.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Errors for people: the messages of an exception and its causes, without stack traces. */
final class ErrorMessages {

    private ErrorMessages() {}

    /**
     * The error's message, then each cause's message that does not repeat one shown already
     * (wrappers often quote their cause).
     */
    static List<String> causeChain(Throwable error) {
        List<String> lines = new ArrayList<>();
        lines.add(message(error));
        StringBuilder shown = new StringBuilder(String.valueOf(error.getMessage()));
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(error);
        for (Throwable c = error.getCause(); c != null && seen.add(c); c = c.getCause()) {
            String m = message(c);
            if (shown.indexOf(m) < 0) {
                lines.add("caused by: " + m);
                shown.append('\n').append(m);
            }
        }
        return lines;
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getName() : t.getMessage();
    }
}
