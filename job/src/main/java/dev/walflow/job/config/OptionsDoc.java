package dev.walflow.job.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.BlockElement;
import org.apache.flink.configuration.description.InlineElement;
import org.apache.flink.configuration.description.TextElement;

/** Renders the option declarations as the README's table and as {@code --help} text. */
public final class OptionsDoc {

    static final String BEGIN = "<!-- options:begin (generated from the option declarations) -->\n";
    static final String END = "<!-- options:end -->";

    private OptionsDoc() {}

    /** Rewrites the option table of the README in the given repository root. */
    public static void main(String[] args) throws java.io.IOException {
        java.nio.file.Path readme = readmePath(java.nio.file.Path.of(args.length > 0 ? args[0] : "."));
        String text = java.nio.file.Files.readString(readme);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalStateException(readme + " has no " + BEGIN.trim() + " ... " + END + " section");
        }
        java.nio.file.Files.writeString(
                readme, text.substring(0, begin + BEGIN.length()) + markdownTable() + text.substring(end));
        System.out.println("Updated the option table in " + readme);
    }

    static java.nio.file.Path readmePath(java.nio.file.Path root) {
        return root.resolve("README.md");
    }

    /** The generated part of a README, between the markers. */
    static String section(String readme) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        return begin < 0 || end < begin ? "" : readme.substring(begin + BEGIN.length(), end);
    }

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
        StringBuilder text = new StringBuilder();
        for (BlockElement block : option.description().getBlocks()) {
            if (block instanceof TextElement) {
                text.append(((TextElement) block).getFormat());
            }
        }
        Object example = option.hasDefaultValue() ? option.defaultValue() : null;
        if (example instanceof DescribedEnum) {
            for (Object constant : example.getClass().getEnumConstants()) {
                InlineElement d = ((DescribedEnum) constant).getDescription();
                text.append(" `").append(((Enum<?>) constant).name().toLowerCase().replace('_', '-'))
                        .append("`: ").append(d instanceof TextElement ? ((TextElement) d).getFormat() : "");
            }
        }
        return text.toString().trim();
    }
}
