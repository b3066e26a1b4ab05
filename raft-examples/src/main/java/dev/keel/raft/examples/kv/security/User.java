package dev.keel.raft.examples.kv.security;

import java.util.Objects;

/**
 * A client's identity after {@code AUTH} (or the implicit one when no authentication is configured).
 *
 * @param name  the user name, as {@code AUTH name password} gives it ({@code default} for {@code AUTH password})
 * @param admin whether the user may run the administrative commands ({@code RAFT.*}: membership changes, snapshots,
 *              diagnostics)
 */
public record User(String name, boolean admin) {
    /** The name {@code AUTH password} and {@code requirepass} stand for, as in Redis. */
    public static final String DEFAULT = "default";

    public User {
        Objects.requireNonNull(name, "name");
    }
}
