package dev.keel.raft.examples.kv.config;

import dev.keel.raft.examples.kv.security.User;
import dev.keel.raft.examples.kv.security.Users;
import dev.keel.raft.transport.netty.TlsConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may use a node and how its connections are protected: the users of the client port ({@code requirepass},
 * {@code [[users]]}), TLS on the client port ({@code [client_tls]}) and mutual TLS between members
 * ({@code [raft_tls]}).
 *
 * @param users     the client port's users; {@link Users#open()} if none is configured
 * @param clientTls TLS on the client port, if configured
 * @param raftTls   mutual TLS on the Raft transport, if configured
 * @param memberPassword the password this node gives as {@link User#MEMBER} on other members' client ports, if
 *                       authentication is on
 */
public record SecurityConfig(Users users, Optional<ClientTls> clientTls, Optional<TlsConfig> raftTls,
                             Optional<String> memberPassword) {
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    /** No authentication, no TLS. */
    public static SecurityConfig none() {
        return new SecurityConfig(Users.open(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Whether clients that AUTH must send passwords over TLS (a non-loopback bind without TLS gets a warning). */
    public boolean passwordsInClear() {
        return users.required() && clientTls.isEmpty();
    }

    /**
     * TLS on the client port.
     *
     * @param certificateChain    PEM: the node's certificate and any intermediates
     * @param privateKey          PEM: its PKCS#8 key
     * @param privateKeyPassword  the key's password, or {@code null}
     * @param trustedCertificates PEM: authorities client certificates must chain to, or {@code null} if clients
     *                            present none
     * @param clientAuth          whether clients must present a certificate
     */
    public record ClientTls(Path certificateChain, Path privateKey, String privateKeyPassword,
                            Path trustedCertificates, ClientAuth clientAuth) {
        @Override
        public String toString() {
            return "ClientTls[certificateChain=" + certificateChain + ", privateKey=" + privateKey
                    + ", trustedCertificates=" + trustedCertificates + ", clientAuth=" + clientAuth + "]";
        }
    }

    /** Whether clients on a TLS client port must present a certificate, as Redis's {@code tls-auth-clients}. */
    public enum ClientAuth { NONE, OPTIONAL, REQUIRED }

    /** Reads and checks the file's security settings, adding what is wrong to {@code problems}. */
    static SecurityConfig from(ConfigFile f, List<String> problems) {
        Users users = users(f, problems);
        Optional<ClientTls> clientTls = clientTls(f.clientTls, problems);
        if (clientTls.isPresent() && clientTls.get().trustedCertificates() == null
                && !(f.peers != null && f.peers.isEmpty() && f.join == null)) {
            problems.add("'client_tls.trusted_certificates' is missing: members connect to each other's client "
                    + "ports (forwarded writes, joins) and check the certificates against it; give the authority "
                    + "that issued the members' certificates (client_auth = \"none\" still lets clients in without "
                    + "certificates)");
        }
        Optional<String> memberPassword = Optional.ofNullable(f.memberPassword);
        if (users.required() && memberPassword.isEmpty()) {
            problems.add("'member_password' is missing: with requirepass or [[users]], members authenticate to each "
                    + "other's client ports (to join the cluster) as user '" + User.MEMBER + "' with this "
                    + "password; give every member the same one");
        } else if (!users.required() && memberPassword.isPresent()) {
            problems.add("'member_password' is set but authentication is off: add requirepass or [[users]], or "
                    + "leave member_password out");
        } else if (memberPassword.isPresent() && memberPassword.get().isEmpty()) {
            problems.add("'member_password' is empty");
        }
        return new SecurityConfig(users, clientTls, raftTls(f.raftTls, problems), memberPassword);
    }

    private static Users users(ConfigFile f, List<String> problems) {
        List<Users.Account> accounts = new ArrayList<>();
        Set<String> names = new HashSet<>();
        if (f.requirepass != null) {
            if (f.requirepass.isEmpty()) {
                problems.add("'requirepass' is empty: give a password, or leave the key out for no authentication");
            } else {
                accounts.add(Users.Account.withPassword(User.DEFAULT, true, f.requirepass));
                names.add(User.DEFAULT);
            }
        }
        if (f.users != null) {
            for (int i = 0; i < f.users.size(); i++) {
                ConfigFile.UserEntry u = f.users.get(i);
                String where = "users[" + i + "]";
                if (u == null || u.name == null || !USER_NAME.matcher(u.name).matches()) {
                    problems.add(where + ".name must be 1-64 characters from [A-Za-z0-9._@-]"
                            + (u == null || u.name == null ? "" : ", was '" + u.name + "'"));
                    continue;
                }
                if (u.name.equals(User.MEMBER)) {
                    problems.add(where + ".name '" + User.MEMBER + "' is reserved for members (member_password)");
                    continue;
                }
                if (!names.add(u.name)) {
                    problems.add(where + ".name '" + u.name + "' is used twice"
                            + (u.name.equals(User.DEFAULT) && f.requirepass != null
                            ? " (requirepass is the password of the user 'default')" : ""));
                    continue;
                }
                boolean admin = Boolean.TRUE.equals(u.admin);
                if ((u.password == null) == (u.passwordSha256 == null)) {
                    problems.add(where + " ('" + u.name + "') needs exactly one of 'password' and 'password_sha256'");
                } else if (u.password != null && u.password.isEmpty()) {
                    problems.add(where + ".password is empty");
                } else if (u.passwordSha256 != null && !SHA256_HEX.matcher(u.passwordSha256).matches()) {
                    problems.add(where + ".password_sha256 must be 64 hex digits (the SHA-256 of the password)");
                } else {
                    accounts.add(u.password != null ? Users.Account.withPassword(u.name, admin, u.password)
                            : Users.Account.withPasswordDigest(u.name, admin, u.passwordSha256));
                }
            }
        }
        if (!accounts.isEmpty() && f.memberPassword != null && !f.memberPassword.isEmpty()) {
            accounts.add(Users.Account.member(f.memberPassword));
        }
        return Users.of(accounts);
    }

    private static Optional<ClientTls> clientTls(ConfigFile.Tls t, List<String> problems) {
        if (t == null) {
            return Optional.empty();
        }
        if (t.verifyHostname != null) {
            problems.add("'client_tls.verify_hostname' does not apply to the client port (it is a raft_tls setting)");
        }
        Path chain = file(t.certificate, "client_tls.certificate", true, problems);
        Path key = file(t.privateKey, "client_tls.private_key", true, problems);
        Path trusted = file(t.trustedCertificates, "client_tls.trusted_certificates", false, problems);
        ClientAuth auth = trusted != null ? ClientAuth.REQUIRED : ClientAuth.NONE;
        if (t.clientAuth != null) {
            switch (t.clientAuth.toLowerCase(Locale.ROOT)) {
                case "none" -> auth = ClientAuth.NONE;
                case "optional" -> auth = ClientAuth.OPTIONAL;
                case "required" -> auth = ClientAuth.REQUIRED;
                default -> problems.add("'client_tls.client_auth' must be \"none\", \"optional\" or \"required\", was '"
                        + t.clientAuth + "'");
            }
        }
        if (auth != ClientAuth.NONE && t.trustedCertificates == null) {
            problems.add("'client_tls.client_auth' is " + auth.name().toLowerCase(Locale.ROOT)
                    + " but 'client_tls.trusted_certificates' is missing: give the authorities client certificates "
                    + "must chain to");
        }
        return Optional.of(new ClientTls(chain, key, t.privateKeyPassword, trusted, auth));
    }

    private static Optional<TlsConfig> raftTls(ConfigFile.Tls t, List<String> problems) {
        if (t == null) {
            return Optional.empty();
        }
        if (t.clientAuth != null) {
            problems.add("'raft_tls.client_auth' does not apply: the Raft transport always uses mutual TLS");
        }
        Path chain = file(t.certificate, "raft_tls.certificate", true, problems);
        Path key = file(t.privateKey, "raft_tls.private_key", true, problems);
        Path trusted = file(t.trustedCertificates, "raft_tls.trusted_certificates", true, problems);
        if (chain == null || key == null || trusted == null) {
            return Optional.empty();
        }
        TlsConfig tls = new TlsConfig(chain, key, t.privateKeyPassword, trusted,
                t.verifyHostname == null || t.verifyHostname);
        return Optional.of(tls);
    }

    private static Path file(String value, String key, boolean required, List<String> problems) {
        if (value == null || value.isBlank()) {
            if (required) {
                problems.add("'" + key + "' is missing: give the path of a PEM file");
            }
            return null;
        }
        Path p = Path.of(value);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            problems.add("'" + key + "': " + p + " does not exist or is not readable");
            return null;
        }
        return p;
    }
}
