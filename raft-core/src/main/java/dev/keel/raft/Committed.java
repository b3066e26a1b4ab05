package dev.keel.raft;

import java.util.Objects;

/**
 * The result of a command together with the log index it was committed and applied at. Indexes order commands:
 * a command with a lower index took effect before one with a higher index, on every replica.
 *
 * @param index  the command's log index
 * @param result the state machine's result
 * @param <T>    the result's type
 */
public record Committed<T>(long index, T result) {
    /**
     * @throws IllegalArgumentException if index is below 1
     */
    public Committed {
        if (index < 1) {
            throw new IllegalArgumentException("index must be >= 1, was " + index);
        }
        Objects.requireNonNull(result, "result");
    }
}
