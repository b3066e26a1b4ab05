package dev.keel.raft.examples.kv.config;

import java.util.List;

/** A configuration that cannot be used, with every problem found, each saying what to fix. */
public final class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(format(source, problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String source, String problem) {
        this(source, List.of(problem));
    }

    /** The problems, one sentence each. */
    public List<String> problems() {
        return problems;
    }

    private static String format(String source, List<String> problems) {
        if (problems.size() == 1) {
            return source + ": " + problems.get(0);
        }
        StringBuilder sb = new StringBuilder(source).append(": ").append(problems.size()).append(" problems:");
        problems.forEach(p -> sb.append("\n  - ").append(p));
        return sb.toString();
    }
}
