package dev.walflow.job.config;

import dev.walflow.jdbc.Connections;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The job's parameters: {@code --config file.properties} then {@code --key value} pairs (the
 * command line wins), secrets from the environment where not given. Parsing validates every
 * key and value and fails naming the key, the allowed values and the value received.
 */
public final class JobConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Configuration configuration;

    private JobConfig(Configuration configuration) {
        this.configuration = configuration;
    }

    public <T> T get(ConfigOption<T> option) {
        return configuration.get(option);
    }

    public Configuration configuration() {
        return configuration;
    }

    /** Whether the arguments ask for the option list instead of a run. */
    public static boolean wantsHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    public static JobConfig parse(String[] args, Map<String, String> environment) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> fromCommandLine = new LinkedHashMap<>();
        String configFile = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new InvalidConfigException(
                        "Unexpected argument '" + arg + "': parameters are given as --key value");
            }
            String key = arg.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new InvalidConfigException("Parameter --" + key + " has no value");
                }
                value = args[++i];
            }
            if (key.equals("config")) {
                configFile = value;
            } else {
                fromCommandLine.put(key, value);
            }
        }
        if (configFile != null) {
            values.putAll(readProperties(Path.of(configFile)));
        }
        values.putAll(fromCommandLine);
        return fromMap(values, environment);
    }

    public static JobConfig fromMap(Map<String, String> values, Map<String, String> environment) {
        Map<String, ConfigOption<?>> known = WalflowOptions.byKey();
        List<String> unknown = new ArrayList<>();
        for (String key : values.keySet()) {
            if (!known.containsKey(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            String key = unknown.get(0);
            throw new InvalidConfigException(
                    "Unknown parameter '" + key + "'" + suggestion(key, known.keySet())
                            + ". Run with --help for the list of parameters.");
        }
        Configuration conf = new Configuration();
        values.forEach(
                (key, value) ->
                        conf.setString(
                                key,
                                optionClass(known.get(key)).isEnum()
                                        ? value.trim().replace('-', '_')
                                        : value));
        for (Map.Entry<ConfigOption<?>, String> secret : WalflowOptions.SECRETS.entrySet()) {
            String env = environment.get(secret.getValue());
            if (!conf.containsKey(secret.getKey().key()) && env != null) {
                conf.setString(secret.getKey().key(), env);
            }
        }
        for (ConfigOption<?> option : known.values()) {
            try {
                conf.get(option);
            } catch (RuntimeException e) {
                throw new InvalidConfigException(
                        "Invalid value '" + values.get(option.key()) + "' for parameter '"
                                + option.key() + "': " + expected(option), e);
            }
        }
        for (ConfigOption<?> option : WalflowOptions.REQUIRED) {
            if (!conf.contains(option)) {
                throw new InvalidConfigException(
                        "Missing required parameter '" + option.key() + "': "
                                + OptionsDoc.description(option));
            }
        }
        JobConfig config = new JobConfig(conf);
        config.validate();
        return config;
    }

    private void validate() {
        for (ConfigOption<String> url : List.of(SourceOptions.URL, SinkOptions.POSTGRES_URL)) {
            String value = get(url);
            if (!value.startsWith("jdbc:postgresql://")) {
                throw new InvalidConfigException(
                        "Invalid value '" + value + "' for parameter '" + url.key()
                                + "': expected a JDBC URL starting with jdbc:postgresql://");
            }
        }
        boolean hasTables = !names(SourceOptions.TABLES).isEmpty();
        boolean hasSchemas = !names(SourceOptions.SCHEMAS).isEmpty();
        if (!hasTables && !hasSchemas) {
            throw new InvalidConfigException(
                    "Missing parameter 'source.tables' (or 'source.schemas'): name the tables to capture, e.g. --source.tables public.orders,public.customers");
        }
        if (!get(JobOptions.JOB_NAME).matches("[A-Za-z0-9_.-]{1,100}")) {
            throw new InvalidConfigException(
                    "Invalid value '" + get(JobOptions.JOB_NAME) + "' for parameter '" + JobOptions.JOB_NAME.key()
                            + "': expected 1 to 100 letters, digits, '_', '.' or '-' (it names prepared transactions)");
        }
        if (configuration.contains(HistoryOptions.URL) && !get(HistoryOptions.URL).startsWith("jdbc:postgresql://")) {
            throw new InvalidConfigException(
                    "Invalid value '" + get(HistoryOptions.URL) + "' for parameter '" + HistoryOptions.URL.key()
                            + "': expected a JDBC URL starting with jdbc:postgresql://");
        }
        positive(SourceOptions.SNAPSHOT_CHUNK_SIZE);
        positive(SourceOptions.SNAPSHOT_FETCH_SIZE);
        positive(SourceOptions.SNAPSHOT_PARALLELISM);
        positive(SinkOptions.POSTGRES_BATCH_MAX_ROWS);
        positive(SinkOptions.POSTGRES_BULK_UPSERT_MIN_ROWS);
        positive(SinkOptions.POSTGRES_PARALLELISM);
        positive(VerifyOptions.RANGE_ROWS);
        if (configuration.contains(VerifyOptions.PARALLELISM)) {
            positive(VerifyOptions.PARALLELISM);
        }
        if (get(VerifyOptions.MAX_REPORTED_ROWS) < 0) {
            throw new InvalidConfigException(
                    "Invalid value '" + get(VerifyOptions.MAX_REPORTED_ROWS) + "' for parameter '"
                            + VerifyOptions.MAX_REPORTED_ROWS.key() + "': expected 0 or more");
        }
        for (ConfigOption<java.time.Duration> d : List.of(
                VerifyOptions.LAG_TIMEOUT, VerifyOptions.INTERVAL, SourceOptions.POLL_INTERVAL)) {
            if (configuration.contains(d) || d.hasDefaultValue()) {
                java.time.Duration value = get(d);
                if (value != null && (value.isZero() || value.isNegative())) {
                    throw new InvalidConfigException(
                            "Invalid value '" + value + "' for parameter '" + d.key() + "': expected a positive duration such as 30s");
                }
            }
        }
        if (get(SinkOptions.POSTGRES_MAX_RETRIES) < 0) {
            throw new InvalidConfigException(
                    "Invalid value '" + get(SinkOptions.POSTGRES_MAX_RETRIES) + "' for parameter '"
                            + SinkOptions.POSTGRES_MAX_RETRIES.key() + "': expected 0 or more");
        }
        if (get(JobOptions.CHECKPOINT_INTERVAL).toMillis() < 10) {
            throw new InvalidConfigException(
                    "Invalid value '" + get(JobOptions.CHECKPOINT_INTERVAL) + "' for parameter '"
                            + JobOptions.CHECKPOINT_INTERVAL.key() + "': expected at least 10 ms");
        }
        if (get(SinkOptions.POSTGRES_BATCH_INTERVAL).isZero() || get(SinkOptions.POSTGRES_BATCH_INTERVAL).isNegative()) {
            throw new InvalidConfigException(
                    "Invalid value '" + get(SinkOptions.POSTGRES_BATCH_INTERVAL) + "' for parameter '"
                            + SinkOptions.POSTGRES_BATCH_INTERVAL.key() + "': expected a positive duration such as 500ms");
        }
    }

    /**
     * A comma-separated list of SQL names; commas and dots inside double quotes belong to the
     * name. Empty when the option is not set.
     */
    public List<String> names(ConfigOption<String> option) {
        List<String> names = new ArrayList<>();
        if (!configuration.contains(option)) {
            return names;
        }
        String text = get(option);
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : text.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                addName(names, current);
            } else {
                current.append(c);
            }
        }
        addName(names, current);
        return names;
    }

    private static void addName(List<String> names, StringBuilder current) {
        String name = current.toString().trim();
        if (!name.isEmpty()) {
            names.add(name);
        }
        current.setLength(0);
    }

    private void positive(ConfigOption<Integer> option) {
        if (get(option) <= 0) {
            throw new InvalidConfigException(
                    "Invalid value '" + get(option) + "' for parameter '" + option.key()
                            + "': expected a positive integer");
        }
    }

    /** The effective parameters for the log, secrets masked. */
    public String describe() {
        Map<String, String> shown = new LinkedHashMap<>();
        for (ConfigOption<?> option : WalflowOptions.all()) {
            if (!configuration.contains(option)) {
                continue;
            }
            String value = configuration.getString(option.key(), null);
            if (value == null) {
                value = String.valueOf(configuration.get(option));
            }
            if (WalflowOptions.SECRETS.containsKey(option)) {
                value = "******";
            } else if (option.key().endsWith(".url")) {
                // A JDBC URL's parameters can hold a password.
                value = Connections.redact(value);
            }
            shown.put(option.key(), value);
        }
        return shown.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String expected(ConfigOption<?> option) {
        Class<?> type = optionClass(option);
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            List<String> names = new ArrayList<>();
            for (Object c : constants) {
                names.add(((Enum<?>) c).name().toLowerCase().replace('_', '-'));
            }
            return "expected one of " + String.join(", ", names);
        }
        if (type == Integer.class || type == Long.class) {
            return "expected an integer";
        }
        if (type == java.time.Duration.class) {
            return "expected a duration such as 500ms, 10s or 1min";
        }
        if (type == Boolean.class) {
            return "expected true or false";
        }
        return "expected a " + type.getSimpleName();
    }

    private static Class<?> optionClass(ConfigOption<?> option) {
        try {
            java.lang.reflect.Method m = ConfigOption.class.getDeclaredMethod("getClazz");
            m.setAccessible(true);
            return (Class<?>) m.invoke(option);
        } catch (ReflectiveOperationException e) {
            return String.class;
        }
    }

    private static String suggestion(String key, Iterable<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(3, key.length() / 3)
                ? " (did you mean '" + best + "'?)"
                : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static Map<String, String> readProperties(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException("Configuration file " + file + " (--config) does not exist");
        } catch (IOException e) {
            throw new InvalidConfigException("Cannot read configuration file " + file + " (--config): " + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : props.stringPropertyNames()) {
            values.put(name, props.getProperty(name).trim());
        }
        return values;
    }
}
