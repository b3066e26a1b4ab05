package dev.keel.raft.examples.kv.config;

import dev.keel.raft.examples.kv.security.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The security settings of node.toml: users, member_password, [client_tls] and [raft_tls]. */
class SecurityConfigTest {
    @TempDir
    Path dir;

    @Test
    void usersAndPasswordsAreReadAndCheckedWithTheirRights() {
        NodeConfig c = config("requirepass = \"root\"\nmember_password = \"m\"\n", """
                [[users]]
                name = "app"
                password = "app-pass"
                [[users]]
                name = "ops"
                password_sha256 = "%s"
                admin = true
                """.formatted(sha256("ops-pass")));
        assertThat(c.users().required()).isTrue();
        assertThat(c.users().authenticate("default", bytes("root"))).get().extracting(User::admin).isEqualTo(true);
        assertThat(c.users().authenticate("app", bytes("app-pass"))).get().extracting(User::admin).isEqualTo(false);
        assertThat(c.users().authenticate("ops", bytes("ops-pass"))).get().extracting(User::admin).isEqualTo(true);
        assertThat(c.users().authenticate("ops", bytes("wrong"))).isEmpty();
        assertThat(c.users().authenticate("keel-member", bytes("m"))).get().extracting(User::member)
                .isEqualTo(true);
        assertThat(config("", "").users().required()).isFalse();
        assertThat(config("", "").users().anonymous()).get().extracting(User::admin).isEqualTo(true);
    }

    @Test
    void badUserSettingsAreAllReportedAtOnce() {
        assertThatThrownBy(() -> config("requirepass = \"root\"\n", """
                [[users]]
                name = "app"
                [[users]]
                name = "bad name"
                password = "x"
                [[users]]
                name = "default"
                password = "x"
                [[users]]
                name = "keel-member"
                password = "x"
                [[users]]
                name = "ops"
                password_sha256 = "abc"
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'member_password' is missing")
                .hasMessageContaining("users[0] ('app') needs exactly one of 'password' and 'password_sha256'")
                .hasMessageContaining("users[1].name must be 1-64 characters")
                .hasMessageContaining("users[2].name 'default' is used twice (requirepass is the password of the user")
                .hasMessageContaining("users[3].name 'keel-member' is reserved")
                .hasMessageContaining("users[4].password_sha256 must be 64 hex digits");
        assertThatThrownBy(() -> config("member_password = \"m\"\n", "")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'member_password' is set but authentication is off");
    }

    @Test
    void tlsSettingsNeedReadableFilesAndSayWhatIsMissing() throws Exception {
        Path pem = Files.writeString(dir.resolve("x.pem"), "not checked until the node starts");
        NodeConfig ok = config("", """
                [client_tls]
                certificate = "%1$s"
                private_key = "%1$s"
                trusted_certificates = "%1$s"
                [raft_tls]
                certificate = "%1$s"
                private_key = "%1$s"
                trusted_certificates = "%1$s"
                verify_hostname = false
                """.formatted(pem));
        assertThat(ok.security().clientTls()).get().extracting(SecurityConfig.ClientTls::clientAuth)
                .isEqualTo(SecurityConfig.ClientAuth.REQUIRED);
        assertThat(ok.security().raftTls()).get().extracting(t -> t.verifyHostname()).isEqualTo(false);
        assertThatThrownBy(() -> config("", """
                [client_tls]
                certificate = "%1$s"
                client_auth = "sometimes"
                [raft_tls]
                certificate = "%1$s"
                private_key = "%2$s"
                """.formatted(pem, dir.resolve("missing.pem")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'client_tls.private_key' is missing")
                .hasMessageContaining("'client_tls.client_auth' must be \"none\", \"optional\" or \"required\"")
                .hasMessageContaining("'client_tls.trusted_certificates' is missing")
                .hasMessageContaining("'raft_tls.private_key': " + dir.resolve("missing.pem") + " does not exist")
                .hasMessageContaining("'raft_tls.trusted_certificates' is missing");
    }

    private static NodeConfig config(String topLevel, String tables) {
        return NodeConfig.from(ConfigLoader.parse(topLevel + NodeConfigTest.GOOD + "\n" + tables, "node.toml"),
                "node.toml");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String sha256(String s) throws RuntimeException {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes(s)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
