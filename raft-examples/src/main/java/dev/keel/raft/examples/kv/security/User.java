package dev.keel.raft.examples.kv.security;

import java.util.Objects;

/**
 * A client's identity after {@code AUTH} (or the implicit one when no authentication is configured).
 *
 * @param name  the user name, as {@code AUTH name password} gives it ({@code default} for {@code AUTH password})
 * @param admin  whether the user may run the administrative commands ({@code RAFT.*}: membership changes,
 *               snapshots, diagnostics)
 * @param member whether the user is a cluster member: may run the internal commands members send each other
 *               (forwarded writes and membership commands)
 */
public record User(String name, boolean admin, boolean member) {
    /** The name {@code AUTH password} and {@code requirepass} stand for, as in Redis. */
    public static final String DEFAULT = "default";
    /** The user members authenticate as on each other's client ports (its password: {@code member_password}). */
    public static final String MEMBER = "keel-member";

    public User {
        Objects.requireNonNull(name, "name");
    }
}
