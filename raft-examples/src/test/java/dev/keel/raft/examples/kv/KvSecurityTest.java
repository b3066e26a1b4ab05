package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.config.ConfigFile;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.ClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.util.SafeEncoder;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A 3-node cluster with every protection on, from node.toml settings: users (requirepass, a user without the admin
 * right, one with it given as a SHA-256 digest), TLS on the client port requiring client certificates, mutual TLS
 * between members. Bad input is refused with Redis-style errors and changes nothing.
 */
@Timeout(120)
class KvSecurityTest {
    static final String ROOT = "root-pass";
    static final String APP = "app-pass";
    static final String OPS = "ops-pass";
    static final String MEMBER = "member-pass";
    static LocalKvCluster cluster;
    static TestPki.Pem client;
    static TestPki.Pem stranger;
    static int leader;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        TestPki pki = new TestPki(dir, "cluster");
        TestPki other = new TestPki(dir, "other");
        client = pki.issue("client");
        stranger = other.issue("stranger");
        List<TestPki.Pem> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(pki.issue("n" + (i + 1)));
        }
        String opsDigest = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(OPS.getBytes(StandardCharsets.UTF_8)));
        cluster = new LocalKvCluster(3, dir, 1024, 10_000, (i, f) -> {
            f.requirepass = ROOT;
            f.memberPassword = MEMBER;
            f.users = List.of(user("app", APP, null, false), user("ops", null, opsDigest, true));
            f.clientTls = tls(nodes.get(i));
            f.clientTls.clientAuth = "required";
            f.raftTls = tls(nodes.get(i));
            LocalKvCluster.patientTiming(f);
        });
        leader = cluster.awaitLeader(Duration.ofSeconds(30));
    }

    private static ConfigFile.UserEntry user(String name, String password, String digest, boolean admin) {
        ConfigFile.UserEntry u = new ConfigFile.UserEntry();
        u.name = name;
        u.password = password;
        u.passwordSha256 = digest;
        u.admin = admin;
        return u;
    }

    private static ConfigFile.Tls tls(TestPki.Pem pem) {
        ConfigFile.Tls t = new ConfigFile.Tls();
        t.certificate = pem.chain().toString();
        t.privateKey = pem.key().toString();
        t.trustedCertificates = pem.ca().toString();
        return t;
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Jedis tlsClient(int node, TestPki.Pem cert) throws Exception {
        return new Jedis(new HostAndPort("127.0.0.1", cluster.clientPort(node)), DefaultJedisClientConfig.builder()
                .ssl(true).sslSocketFactory(cert.socketFactory()).socketTimeoutMillis(30_000).build());
    }

    private static int follower() {
        return (leader + 1) % 3;
    }

    @Test
    void commandsBeforeAuthAndWrongPasswordsAreRefused() throws Exception {
        try (Jedis j = tlsClient(follower(), client)) {
            KvClusterTest.assertError(() -> j.set("sec:k", "v"), "NOAUTH Authentication required.");
            KvClusterTest.assertError(() -> j.auth("wrong"), "WRONGPASS invalid username-password pair");
            KvClusterTest.assertError(() -> j.auth("app", "wrong"), "WRONGPASS");
            KvClusterTest.assertError(() -> j.auth("nobody", APP), "WRONGPASS");
            KvClusterTest.assertError(() -> j.sendCommand(Command.HELLO, "2"), "NOAUTH HELLO must be called");
            assertThat(j.auth("app", APP)).isEqualTo("OK");
            // Written through a follower: Keel forwards it to the leader over the Raft transport (mutual TLS).
            assertThat(j.set("sec:k", "v")).isEqualTo("OK");
        }
        try (Jedis j = tlsClient(leader, client)) {
            assertThat(j.auth(ROOT)).isEqualTo("OK");
            assertThat(j.get("sec:k")).isEqualTo("v");
        }
    }

    @Test
    void helloAuthenticatesAndNamesTheConnectionInOneStep() throws Exception {
        try (Jedis j = tlsClient(follower(), client)) {
            KvClusterTest.assertError(() -> j.sendCommand(Command.HELLO, "3", "AUTH", "app", APP), "NOPROTO");
            KvClusterTest.assertError(() -> j.get("x"), "NOAUTH");
            KvClusterTest.assertError(() -> j.sendCommand(Command.HELLO, "2", "AUTH", "app", "bad"), "WRONGPASS");
            j.sendCommand(Command.HELLO, "2", "AUTH", "app", APP, "SETNAME", "hello-app");
            assertThat(j.clientGetname()).isEqualTo("hello-app");
            assertThat(j.clientList()).contains("user=app");
        }
    }

    @Test
    void aUserWithoutTheAdminRightCannotChangeTheMembership() throws Exception {
        try (Jedis app = tlsClient(leader, client); Jedis ops = tlsClient(follower(), client)) {
            app.auth("app", APP);
            KvClusterTest.assertError(() -> app.sendCommand(() -> SafeEncoder.encode("RAFT.REMOVE"), "n3"),
                    "NOPERM User app has no permissions to run the 'raft.remove' command");
            KvClusterTest.assertError(() -> app.sendCommand(() -> SafeEncoder.encode("RAFT.SNAPSHOT")), "NOPERM");
            assertThat(ops.auth("ops", OPS)).isEqualTo("OK");
            assertThat(MembersReply.of(ops).members())
                    .hasSize(3);
            assertThat(cluster.node(leader).raft().status().voters()).hasSize(3);
        }
    }

    @Test
    void noClientCanAppendARawLogEntryNotEvenAMember() throws Exception {
        // Members forward over the Raft transport now: the client port has no command that appends what it is given.
        try (Jedis member = tlsClient(leader, client)) {
            member.auth("keel-member", MEMBER);
            long before = cluster.node(leader).raft().status().lastLogIndex();
            KvClusterTest.assertError(() -> member.sendCommand(() -> SafeEncoder.encode("KEEL.SUBMIT"),
                    new byte[] {99, 0, 1}), "ERR unknown command 'KEEL.SUBMIT'");
            KvClusterTest.assertError(() -> member.sendCommand(() -> SafeEncoder.encode("KEEL.ADMIN"),
                    KvCommand.of(Op.GET, "k".getBytes(StandardCharsets.UTF_8)).encode()), "ERR unknown command");
            assertThat(cluster.node(leader).raft().status().lastLogIndex()).isEqualTo(before);
        }
    }

    @Test
    void aClientWithoutTlsGetsARedisErrorAndTheConnectionCloses() throws Exception {
        try (Socket s = new Socket("127.0.0.1", cluster.clientPort(follower()))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("*3\r\n$3\r\nSET\r\n$8\r\nsec:nope\r\n$1\r\nv\r\n".getBytes(
                    StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(reply).isEqualTo("-ERR this port requires TLS: connect with TLS (redis-cli --tls)\r\n");
        }
        assertNotWritten("sec:nope");
    }

    @Test
    void aClientCertificateFromAnUntrustedAuthorityIsRefused() throws Exception {
        assertThatThrownBy(() -> {
            try (Jedis j = tlsClient(follower(), new TestPki.Pem(stranger.chain(), stranger.key(), client.ca()))) {
                j.auth(ROOT);
                j.set("sec:stranger", "v");
            }
        }).isInstanceOf(redis.clients.jedis.exceptions.JedisConnectionException.class);
        assertNotWritten("sec:stranger");
    }

    @Test
    void theRaftPortAcceptsOnlyMembersCertificates() throws Exception {
        int raftPort = cluster.raftPort(follower());
        SSLSocketFactory strangers = new TestPki.Pem(stranger.chain(), stranger.key(), client.ca()).socketFactory();
        assertThatThrownBy(() -> handshake(strangers, raftPort)).isInstanceOf(IOException.class);
        handshake(client.socketFactory(), raftPort); // a certificate of the cluster's authority gets through TLS
        assertThatThrownBy(() -> {
            try (Socket plain = new Socket("127.0.0.1", raftPort)) {
                plain.setSoTimeout(10_000);
                plain.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                if (plain.getInputStream().read() < 0) {
                    throw new IOException("closed");
                }
            }
        }).isInstanceOf(IOException.class);
    }

    private static void handshake(SSLSocketFactory factory, int port) throws IOException {
        try (SSLSocket s = (SSLSocket) factory.createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            // TLS 1.3 reports a refused client certificate on the first read.
            s.getOutputStream().write(0);
            s.getOutputStream().flush();
            try {
                s.getInputStream().read();
            } catch (java.net.SocketTimeoutException e) {
                // still connected: the peer accepted the certificate and waits for a frame
            }
        }
    }

    @Test
    void lettuceFallsBackFromResp3AndAuthenticatesOverTls() throws Exception {
        RedisClient lettuce = RedisClient.create();
        try {
            lettuce.setOptions(ClientOptions.builder().sslOptions(SslOptions.builder().jdkSslProvider()
                    .keyManager(client.chain().toFile(), client.key().toFile(), null)
                    .trustManager(client.ca().toFile()).build()).build());
            RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(cluster.clientPort(follower()))
                    .withSsl(true).withAuthentication("app", APP.toCharArray()).withClientName("lettuce-tls")
                    .withTimeout(Duration.ofSeconds(30)).build();
            try (StatefulRedisConnection<String, String> c = lettuce.connect(uri)) {
                assertThat(c.sync().set("sec:lettuce", "v")).isEqualTo("OK");
                assertThat(c.sync().clientGetname()).isEqualTo("lettuce-tls");
            }
        } finally {
            lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
    }

    @Test
    void redisCliWorksWithTlsAndAUserAndIsRefusedWithoutTls() {
        java.nio.file.Path cli = ExternalTool.find("redis-cli");
        ExternalTool.require(cli != null, "redis-cli (Debian's redis-tools)");
        String port = Integer.toString(cluster.clientPort(follower()));
        List<String> tls = List.of(cli.toString(), "-p", port, "--tls", "--cacert", client.ca().toString(),
                "--cert", client.chain().toString(), "--key", client.key().toString(), "--user", "app", "--pass", APP,
                "--no-auth-warning");
        List<String> set = new ArrayList<>(tls);
        set.addAll(List.of("set", "sec:cli", "over-tls"));
        ExternalTool.Result r = ExternalTool.run(Duration.ofSeconds(60), set);
        assertThat(r.output().strip()).as(r.output()).isEqualTo("OK");
        List<String> get = new ArrayList<>(tls);
        get.addAll(List.of("get", "sec:cli"));
        assertThat(ExternalTool.run(Duration.ofSeconds(60), get).output().strip()).isEqualTo("over-tls");
        ExternalTool.Result plain = ExternalTool.run(Duration.ofSeconds(60), List.of(cli.toString(), "-p", port,
                "--user", "app", "--pass", APP, "--no-auth-warning", "set", "sec:cli", "plain"));
        assertThat(plain.output()).contains("this port requires TLS");
    }

    private static void assertNotWritten(String key) throws Exception {
        try (Jedis j = tlsClient(leader, client)) {
            j.auth(ROOT);
            assertThat(j.exists(key)).isFalse();
        }
    }
}
