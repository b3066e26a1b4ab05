package dev.keel.raft.examples.kv.config;

import java.util.List;

/**
 * The contents of {@code node.toml} as written, before validation: every field may be missing. Keys are snake_case
 * ({@code client_port}); unknown keys are rejected when reading.
 *
 * <p>Mutable on purpose: command-line flags are applied on top of the file before {@link NodeConfig#from} checks
 * the whole.
 */
public final class ConfigFile {
    public String id;
    public String clusterId;
    public String bind;
    /** The host other members and clients reach this node at (default: bind, or the host name for 0.0.0.0). */
    public String advertise;
    /** Client addresses of members of an existing cluster to join through (first start of a new member only). */
    public List<String> join;
    public Integer clientPort;
    public Integer raftPort;
    public String dataDir;
    public List<Peer> peers;
    public Integer maxValueBytes;
    public Integer clientThreads;
    public Long leaderWaitMs;
    public Long requestTimeoutMs;
    public String fsync;
    public Snapshot snapshot;
    public Log log;
    public Raft raft;
    /** The default user's password (as Redis's requirepass): clients then AUTH before anything else. */
    public String requirepass;
    public List<UserEntry> users;
    /** With authentication on: the password members use on each other's client ports (user keel-member). */
    public String memberPassword;
    public Tls clientTls;
    public Tls raftTls;

    /** One {@code [[users]]} entry. */
    public static final class UserEntry {
        public String name;
        public String password;
        public String passwordSha256;
        public Boolean admin;
    }

    /** The {@code [client_tls]} and {@code [raft_tls]} tables: PEM files. */
    public static final class Tls {
        public String certificate;
        public String privateKey;
        public String privateKeyPassword;
        public String trustedCertificates;
        /** client_tls only: none, optional or required. */
        public String clientAuth;
        /** raft_tls only: whether a node checks that a peer's certificate names the address it dialled. */
        public Boolean verifyHostname;
    }

    /** One {@code [[peers]]} entry. */
    public static final class Peer {
        public String id;
        public String raft;
        public String client;
    }

    /** The {@code [snapshot]} table. */
    public static final class Snapshot {
        public Long interval;
        public Long logRetention;
        public Integer retained;
    }

    /** The {@code [log]} table: the log files. */
    public static final class Log {
        public Long segmentBytes;
    }

    /** The {@code [raft]} table: timing. */
    public static final class Raft {
        public Long heartbeatMs;
        public Long electionTimeoutMinMs;
        public Long electionTimeoutMaxMs;
    }
}
