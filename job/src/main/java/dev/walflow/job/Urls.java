package dev.walflow.job;

/** JDBC URLs as they may appear in logs and errors: without parameters, which can hold secrets. */
public final class Urls {

    private Urls() {}

    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }
}
