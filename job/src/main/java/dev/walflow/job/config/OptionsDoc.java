package dev.walflow.job.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;

/** Renders the option declarations as the README's table and as {@code --help} text. */
public final class OptionsDoc {

    private OptionsDoc() {}

    public static String markdownTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Parameter | Default | Description |\n");
        sb.append("|---|---|---|\n");
        for (ConfigOption<?> option : WalflowOptions.all()) {
            sb.append("| `").append(option.key()).append("` | ")
                    .append(defaultText(option)).append(" | ")
                    .append(description(option).replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    public static String helpText() {
        StringBuilder sb = new StringBuilder();
        sb.append("walflow: PostgreSQL change data capture as a Flink job.\n\n");
        sb.append("Parameters: --key value, or --config file.properties (the command line wins).\n\n");
        for (ConfigOption<?> option : WalflowOptions.all()) {
            sb.append("  --").append(option.key()).append("  (default: ")
                    .append(defaultText(option).replace("`", "")).append(")\n      ")
                    .append(description(option)).append("\n");
        }
        return sb.toString();
    }

    static String defaultText(ConfigOption<?> option) {
        if (WalflowOptions.REQUIRED.contains(option)) {
            return "required";
        }
        if (!option.hasDefaultValue()) {
            return "none";
        }
        Object value = option.defaultValue();
        String text = value instanceof Enum
                ? ((Enum<?>) value).name().toLowerCase().replace('_', '-')
                : value instanceof java.time.Duration
                        ? org.apache.flink.util.TimeUtils.formatWithHighestUnit((java.time.Duration) value)
                        : String.valueOf(value);
        return "`" + text + "`";
    }

    static String description(ConfigOption<?> option) {
        return new HtmlFormatter().format(option.description()).replace("<br />", " ");
    }
}
