package dev.walflow.job.config;

import org.apache.flink.configuration.ConfigOption;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every declared option, found in the options classes, in declaration order. */
public final class WalflowOptions {

    private static final List<Class<?>> OPTION_CLASSES =
            List.of(SourceOptions.class, SinkOptions.class, ClickHouseOptions.class, HistoryOptions.class, JobOptions.class,
                    VerifyOptions.class);

    /** Options whose value is a secret: masked in logs, and may come from the environment. */
    public static final Map<ConfigOption<?>, String> SECRETS =
            Map.of(
                    SourceOptions.PASSWORD, "WALFLOW_SOURCE_PASSWORD",
                    SinkOptions.POSTGRES_PASSWORD, "WALFLOW_SINK_POSTGRES_PASSWORD",
                    ClickHouseOptions.PASSWORD, "WALFLOW_SINK_CLICKHOUSE_PASSWORD",
                    HistoryOptions.PASSWORD, "WALFLOW_HISTORY_PASSWORD");

    /** Options without a default that every run must set. */
    public static final List<ConfigOption<?>> REQUIRED =
            List.of(
                    SourceOptions.URL,
                    SourceOptions.USERNAME,
                    SinkOptions.POSTGRES_URL,
                    SinkOptions.POSTGRES_USERNAME);

    private WalflowOptions() {}

    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Class<?> c : OPTION_CLASSES) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                    try {
                        options.add((ConfigOption<?>) f.get(null));
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return Collections.unmodifiableList(options);
    }

    public static Map<String, ConfigOption<?>> byKey() {
        Map<String, ConfigOption<?>> map = new LinkedHashMap<>();
        for (ConfigOption<?> o : all()) {
            map.put(o.key(), o);
        }
        return map;
    }
}
