package dev.keel.raft;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The identity of one Raft server in a cluster: a short, stable name such as {@code "n1"}.
 *
 * <p>Ids are compared by value. They appear in logs, on the wire and in file names, so they are restricted to
 * 1-64 characters from {@code [A-Za-z0-9._-]}.
 *
 * @param value the id text
 */
public record NodeId(String value) implements Comparable<NodeId> {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * @throws IllegalArgumentException if {@code value} is not 1-64 characters from {@code [A-Za-z0-9._-]}
     */
    public NodeId {
        Objects.requireNonNull(value, "node id must not be null");
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "node id must be 1-64 characters from [A-Za-z0-9._-], was '" + value + "'");
        }
    }

    /** Shorthand for {@code new NodeId(value)}. */
    public static NodeId of(String value) {
        return new NodeId(value);
    }

    @Override
    public int compareTo(NodeId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
