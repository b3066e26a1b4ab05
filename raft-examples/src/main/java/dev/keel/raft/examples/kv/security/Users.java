package dev.keel.raft.examples.kv.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The users allowed on the client port and their passwords, as configured in {@code node.toml} ({@code requirepass}
 * and {@code [[users]]}). Passwords are kept only as SHA-256 digests and compared in constant time.
 *
 * <p>With no user configured, authentication is off: every connection acts as {@link #anonymous()}, which has every
 * right, as a Redis server without a password does.
 *
 * <p>Thread-safe: immutable.
 */
public final class Users {
    private static final Users OPEN = new Users(Map.of());

    /** A configured user: its rights and its password's digest. */
    public record Account(User user, byte[] passwordSha256) {
        public Account {
            Objects.requireNonNull(user, "user");
            if (passwordSha256.length != 32) {
                throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, got " + passwordSha256.length);
            }
            passwordSha256 = passwordSha256.clone();
        }

        /** An account with a password given in clear. */
        public static Account withPassword(String name, boolean admin, String password) {
            return new Account(new User(name, admin, false), sha256(password.getBytes(StandardCharsets.UTF_8)));
        }

        /** The account members use on each other's client ports: every right. */
        public static Account member(String password) {
            return new Account(new User(User.MEMBER, true, true), sha256(password.getBytes(StandardCharsets.UTF_8)));
        }

        /** An account with a password given as the hex SHA-256 digest of its UTF-8 bytes. */
        public static Account withPasswordDigest(String name, boolean admin, String sha256Hex) {
            return new Account(new User(name, admin, false), HexFormat.of().parseHex(sha256Hex));
        }
    }

    private final Map<String, Account> accounts;

    private Users(Map<String, Account> accounts) {
        this.accounts = accounts;
    }

    /** No authentication: everyone is {@link #anonymous()}. */
    public static Users open() {
        return OPEN;
    }

    /**
     * Authentication required, for these accounts.
     *
     * @throws IllegalArgumentException if a name is used twice
     */
    public static Users of(Iterable<Account> accounts) {
        Map<String, Account> byName = new LinkedHashMap<>();
        for (Account a : accounts) {
            if (byName.put(a.user().name(), a) != null) {
                throw new IllegalArgumentException("user '" + a.user().name() + "' is configured twice");
            }
        }
        return byName.isEmpty() ? OPEN : new Users(Map.copyOf(byName));
    }

    /** Whether clients must authenticate before running commands. */
    public boolean required() {
        return !accounts.isEmpty();
    }

    /**
     * Who a connection is before any AUTH: nobody if authentication is required, else a user with every right (as on
     * a Redis server without a password, anyone may do anything; members then need no credentials either).
     */
    public Optional<User> anonymous() {
        return required() ? Optional.empty() : Optional.of(new User(User.DEFAULT, true, true));
    }

    /** Whether the {@code default} user exists, i.e. {@code AUTH password} can succeed. */
    public boolean hasDefaultUser() {
        return accounts.containsKey(User.DEFAULT);
    }

    /** The user if {@code password} is theirs; empty for an unknown user or a wrong password. */
    public Optional<User> authenticate(String name, byte[] password) {
        Account a = accounts.get(name);
        // Digest either way, so that an unknown name costs as much as a wrong password.
        byte[] given = sha256(password);
        if (a == null) {
            return Optional.empty();
        }
        return MessageDigest.isEqual(given, a.passwordSha256()) ? Optional.of(a.user()) : Optional.empty();
    }

    /** The configured user names, for the log. */
    public java.util.Set<String> names() {
        return accounts.keySet();
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
