package dev.keel.raft.examples.kv;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The clients of the compatibility matrix that are not Java, against one 3-node cluster: redis-py (Debian's
 * python3-redis), ioredis (npm, installed by {@code .ci/run} into {@code src/test/clients/node}), redis-cli and
 * redis-benchmark (Debian's redis-tools). Each runs as a process and must exit cleanly.
 */
@Timeout(300)
class ExternalClientsTest {
    static final Path CLIENTS = Path.of("src/test/clients");
    /** The tests of redis-benchmark's default list whose commands the node supports. */
    static final List<String> BENCHMARK_TESTS = List.of("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "HSET",
            "MSET");
    static LocalKvCluster cluster;
    static int leader;

    @BeforeAll
    static void start(@TempDir Path dir) {
        cluster = new LocalKvCluster(3, dir, 1 << 20, 10_000, (i, f) -> LocalKvCluster.patientTiming(f));
        leader = cluster.awaitLeader(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<String> ports() {
        List<String> ports = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            ports.add(Integer.toString(cluster.clientPort(i)));
        }
        return ports;
    }

    @Test
    void redisPyWorksWithDefaultSettingsAndWithAClientName() {
        // Debian's interpreter, where python3-redis installs; another python3 first on PATH may lack the module.
        Path python = ExternalTool.find("/usr/bin/python3", "python3");
        ExternalTool.require(python != null && ExternalTool.succeeds(Duration.ofSeconds(30), python.toString(),
                "-c", "import redis"), "python3 with the redis module (Debian's python3-redis)");
        List<String> command = new ArrayList<>(List.of(python.toString(), CLIENTS.resolve("python/compat.py")
                .toString()));
        command.addAll(ports());
        ExternalTool.Result r = ExternalTool.run(Duration.ofSeconds(120), command);
        System.out.println(r.output());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("redis-py 4.", ": ok");
    }

    @Test
    void ioredisWorksWithDefaultSettingsAndWithAConnectionName() {
        Path node = ExternalTool.find("node", "nodejs");
        ExternalTool.require(node != null && Files.isDirectory(CLIENTS.resolve("node/node_modules/ioredis")),
                "node and ioredis (npm ci in " + CLIENTS.resolve("node") + ")");
        List<String> command = new ArrayList<>(List.of(node.toString(), CLIENTS.resolve("node/compat.js").toString()));
        command.addAll(ports());
        ExternalTool.Result r = ExternalTool.run(Duration.ofSeconds(120), command);
        System.out.println(r.output());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("ioredis 5.", ": ok");
    }

    @Test
    void redisBenchmarkRunsItsDefaultTestsOfSupportedCommandsWithoutErrors() {
        Path bench = ExternalTool.find("redis-benchmark");
        ExternalTool.require(bench != null, "redis-benchmark (Debian's redis-tools)");
        int follower = (leader + 1) % 3;
        ExternalTool.Result r = ExternalTool.run(Duration.ofSeconds(240), List.of(bench.toString(), "-h",
                "127.0.0.1", "-p", Integer.toString(cluster.clientPort(follower)), "-n", "2000", "-c", "10", "--csv",
                "-t", String.join(",", BENCHMARK_TESTS).toLowerCase(java.util.Locale.ROOT)));
        System.out.println(r.output());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).doesNotContainIgnoringCase("error").doesNotContain("WARNING");
        for (String test : BENCHMARK_TESTS) {
            assertThat(r.output()).as(test).containsPattern("(?m)^\"" + test + "[^\"]*\",\"[0-9.]+\"");
        }
    }

    @Test
    void redisCliRunsCommandsAndReadsTheCommandTable() {
        Path cli = ExternalTool.find("redis-cli");
        ExternalTool.require(cli != null, "redis-cli (Debian's redis-tools)");
        String port = Integer.toString(cluster.clientPort((leader + 2) % 3));
        assertThat(cliOutput(cli, port, "set", "cli:k", "hello")).isEqualTo("OK");
        assertThat(cliOutput(cli, port, "get", "cli:k")).isEqualTo("hello");
        assertThat(cliOutput(cli, port, "hset", "cli:h", "f", "v")).isEqualTo("1");
        assertThat(cliOutput(cli, port, "--scan", "--pattern", "cli:*").lines()).containsExactlyInAnyOrder(
                "cli:k", "cli:h");
        assertThat(cliOutput(cli, port, "info", "server")).contains("redis_version:");
        assertThat(cliOutput(cli, port, "command", "docs", "get")).contains("summary", "group", "string");
        // Commands on stdin, as in a script; redis-cli reads the server's command table for its help.
        ExternalTool.Result r = ExternalTool.run(Duration.ofSeconds(60), List.of("sh", "-c",
                "printf 'incr cli:n\\nincr cli:n\\nhelp get\\n' | " + cli + " -p " + port));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("1\n2\n").contains("summary", "Returns the string value of a key.");
    }

    private static String cliOutput(Path cli, String port, String... args) {
        List<String> command = new ArrayList<>(List.of(cli.toString(), "-p", port));
        command.addAll(List.of(args));
        ExternalTool.Result r = ExternalTool.run(Duration.ofSeconds(60), command);
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r.output().strip();
    }
}
