package dev.keel.raft.examples.kv.container;

import dev.keel.raft.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operators' 3-node cluster (raft-examples/docker/docker-compose.yml) as documented: the locally built image,
 * started with docker-compose, every node healthy (the image's health check), the client ports published, a write
 * through one node readable through the others, and the data on the volumes surviving {@code down} and {@code up}.
 */
class KvComposeIT {
    private static final Path COMPOSE_FILE = Path.of("docker", "docker-compose.yml");
    /** Start-up of three JVMs and an election on a busy machine; the health check's start period is 30 s. */
    private static final Duration WAIT = Duration.ofSeconds(120);

    private final String project = "keel-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final int[] ports = {freePort(), freePort(), freePort()};
    private List<String> compose;

    @BeforeEach
    void requireCompose() {
        DockerRequirement.check();
        compose = composeCommand();
        if (compose == null) {
            String message = "neither docker-compose nor the 'docker compose' plugin is installed (Debian: apt-get"
                    + " install docker-compose)";
            if ("true".equalsIgnoreCase(System.getenv("KEEL_REQUIRE_DOCKER"))) {
                throw new AssertionError("KEEL_REQUIRE_DOCKER=true but " + message);
            }
            Assumptions.abort("compose test skipped: " + message);
        }
    }

    @AfterEach
    void down() throws Exception {
        if (compose != null) {
            run(List.of("down", "-v", "--timeout", "5"), Duration.ofMinutes(2));
        }
    }

    @Test
    void theComposeClusterStartsHealthyServesOnItsPublishedPortsAndKeepsItsDataOnItsVolumes() throws Exception {
        assertThat(run(List.of("up", "-d"), Duration.ofMinutes(3))).isZero();
        Await.until("all three nodes healthy", WAIT, () -> healthyNodes() == 3);

        // Netty's native epoll loads in the image (its shared libraries are there), for the Raft transport too.
        String logs = exec(List.of("docker", "logs", output(List.of("ps", "-q", "n1")).trim()));
        assertThat(logs).contains("for cluster keel-kv (epoll,").doesNotContain("native epoll transport unavailable");

        writeUntilAccepted("greeting", "hello");
        for (int port : ports) {
            Await.until("the write readable through port " + port, WAIT, () -> "hello".equals(get(port, "greeting")));
        }

        // down keeps the named volumes; up starts the same nodes on their old data.
        assertThat(run(List.of("down", "--timeout", "10"), Duration.ofMinutes(2))).isZero();
        assertThat(run(List.of("up", "-d"), Duration.ofMinutes(3))).isZero();
        Await.until("all three nodes healthy again", WAIT, () -> healthyNodes() == 3);
        for (int port : ports) {
            Await.until("the write still readable through port " + port + " after a restart", WAIT,
                    () -> "hello".equals(get(port, "greeting")));
        }
    }

    private void writeUntilAccepted(String key, String value) {
        Await.until("a node to accept a write (a leader elected)", WAIT, () -> {
            try (Jedis j = new Jedis("localhost", ports[0], 5000)) {
                return "OK".equals(j.set(key, value));
            } catch (JedisException e) {
                return false; // -TRYAGAIN while there is no leader yet, or not listening yet
            }
        });
    }

    private static String get(int port, String key) {
        try (Jedis j = new Jedis("localhost", port, 5000)) {
            return j.get(key);
        } catch (JedisException e) {
            return null;
        }
    }

    private int healthyNodes() {
        int healthy = 0;
        for (String service : List.of("n1", "n2", "n3")) {
            String id = output(List.of("ps", "-q", service)).trim();
            if (id.isEmpty()) {
                continue;
            }
            String status = exec(List.of("docker", "inspect", "--format", "{{.State.Health.Status}}", id)).trim();
            if (status.equals("healthy")) {
                healthy++;
            }
        }
        return healthy;
    }

    private int run(List<String> args, Duration timeout) throws Exception {
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of("-p", project, "-f", COMPOSE_FILE.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        environment(pb.environment());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeout + ":\n" + out);
        }
        System.out.println(String.join(" ", command) + " -> " + p.exitValue() + "\n" + out);
        return p.exitValue();
    }

    private String output(List<String> args) {
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of("-p", project, "-f", COMPOSE_FILE.toString()));
        command.addAll(args);
        return exec(command);
    }

    private String exec(List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            environment(pb.environment());
            // docker logs writes the container's stderr (the node's log) to its own stderr.
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void environment(Map<String, String> env) {
        env.put("KEEL_IMAGE", KvImage.get());
        env.put("KEEL_N1_PORT", Integer.toString(ports[0]));
        env.put("KEEL_N2_PORT", Integer.toString(ports[1]));
        env.put("KEEL_N3_PORT", Integer.toString(ports[2]));
    }

    /** docker-compose (v1, Debian's package) or the docker compose plugin (v2), or null if neither runs. */
    private static List<String> composeCommand() {
        for (List<String> candidate : List.of(List.of("docker-compose"), List.of("docker", "compose"))) {
            try {
                List<String> version = new ArrayList<>(candidate);
                version.add("version");
                Process p = new ProcessBuilder(version).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException e) {
                // not installed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
