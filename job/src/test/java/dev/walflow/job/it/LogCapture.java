package dev.walflow.job.it;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Collects every log event of this JVM (message, MDC and the whole stack trace with every
 * cause's message) at INFO and above, for tests that check what logs contain.
 */
final class LogCapture extends AbstractAppender implements AutoCloseable {

    private final StringBuffer text = new StringBuffer();
    private final Level previousRoot;
    private final Level previousWalflow;

    private LogCapture() {
        super("walflow-test-capture", null, null, true, Property.EMPTY_ARRAY);
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        start();
        config.addAppender(this);
        LoggerConfig root = config.getRootLogger();
        previousRoot = root.getLevel();
        root.setLevel(Level.INFO);
        root.addAppender(this, Level.ALL, null);
        LoggerConfig walflow = config.getLoggerConfig("dev.walflow");
        previousWalflow = walflow.getLevel();
        walflow.setLevel(Level.DEBUG);
        if (walflow != root) {
            walflow.addAppender(this, Level.ALL, null);
        }
        context.updateLoggers();
    }

    static LogCapture open() {
        return new LogCapture();
    }

    @Override
    public void append(LogEvent event) {
        StringBuilder sb = new StringBuilder();
        sb.append(event.getLevel()).append(' ').append(event.getLoggerName()).append(' ')
                .append(event.getMessage().getFormattedMessage()).append(' ')
                .append(event.getContextData()).append('\n');
        if (event.getThrown() != null) {
            StringWriter w = new StringWriter();
            event.getThrown().printStackTrace(new PrintWriter(w));
            sb.append(w).append('\n');
        }
        text.append(sb);
    }

    String text() {
        return text.toString();
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender(getName());
        config.getRootLogger().setLevel(previousRoot);
        LoggerConfig walflow = config.getLoggerConfig("dev.walflow");
        walflow.removeAppender(getName());
        walflow.setLevel(previousWalflow);
        context.updateLoggers();
        stop();
    }
}
