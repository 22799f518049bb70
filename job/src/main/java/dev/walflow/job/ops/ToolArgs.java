package dev.walflow.job.ops;

import dev.walflow.job.config.JobConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of an operating tool: its own flags (e.g. {@code --flink-rest URL}), its
 * positional words (a command, transaction names), and the job's parameters (as the job takes
 * them: {@code --config FILE}, {@code --key value}), which it parses into a {@link JobConfig}.
 */
final class ToolArgs {

    final Map<String, String> flags = new LinkedHashMap<>();
    final List<String> words = new ArrayList<>();
    final JobConfig config;

    /**
     * @param valueFlags tool flags that take a value
     * @param switches tool flags without a value
     */
    ToolArgs(String[] args, Set<String> valueFlags, Set<String> switches, Map<String, String> environment) {
        List<String> jobArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a.startsWith("--") ? a.substring(2) : null;
            if (name != null && switches.contains(name)) {
                flags.put(name, "true");
            } else if (name != null && valueFlags.contains(name)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                flags.put(name, args[++i]);
            } else if (name != null) {
                jobArgs.add(a);
                if (i + 1 < args.length) {
                    jobArgs.add(args[++i]);
                }
            } else {
                words.add(a);
            }
        }
        this.config = JobConfig.parse(jobArgs.toArray(new String[0]), environment);
    }

    String flag(String name, String fallback) {
        return flags.getOrDefault(name, fallback);
    }

    boolean has(String name) {
        return flags.containsKey(name);
    }
}
