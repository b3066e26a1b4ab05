package dev.keel.raft.message;

import dev.keel.raft.NodeId;

import java.util.Objects;

/** Validation shared by the message records. */
final class Messages {
    private Messages() {
    }

    static void requireHeader(NodeId from, NodeId to, long term) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        requireNonNegative("term", term);
    }

    static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
    }
}
