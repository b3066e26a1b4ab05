package dev.keel.raft.examples.kv.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import dev.keel.raft.testing.Await;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A KV cluster of containers for fault tests. Nodes talk Raft over one network ({@code raft}, where each is reachable
 * as {@code n1}, {@code n2}, ...); every container is also attached to a second network, so that its client port stays
 * published while it is cut off from the first (Docker moves the port mapping to the remaining network; the host port
 * may change, so it is looked up anew for every connection).
 */
final class ContainerCluster implements AutoCloseable {
    /** How long a node's process may take to start and recover (the image's JVM on a loaded machine). */
    static final Duration NODE_START = Duration.ofSeconds(60);

    static final int CLIENT_PORT = 6379;
    static final int RAFT_PORT = 7000;
    /** The HTTP admin port (/metrics, /livez, /readyz), published like the client port. */
    static final int ADMIN_PORT = 9100;

    private final DockerClient docker = DockerClientFactory.instance().client();
    private final Network raft = Network.newNetwork();
    private final Network access = Network.newNetwork();
    private final List<GenericContainer<?>> containers = new ArrayList<>();
    private final String name;
    private final int members;
    private final String extraToml;

    ContainerCluster(String name, int size) {
        this(name, size, "");
    }

    /** @param extraToml appended to every node's {@code node.toml} (tables such as {@code [snapshot]}) */
    ContainerCluster(String name, int size, String extraToml) {
        this.name = name;
        this.members = size;
        this.extraToml = extraToml;
        for (int i = 1; i <= size; i++) {
            containers.add(newContainer(i));
        }
        containers.parallelStream().forEach(GenericContainer::start);
        for (GenericContainer<?> c : containers) {
            docker.connectToNetworkCmd().withNetworkId(access.getId()).withContainerId(c.getContainerId()).exec();
        }
    }

    private GenericContainer<?> newContainer(int n) {
        return new GenericContainer<>(KvImage.get())
                .withNetwork(raft)
                .withNetworkAliases("n" + n)
                .withExposedPorts(CLIENT_PORT, ADMIN_PORT)
                .withCopyToContainer(Transferable.of(toml(n, members) + extraToml), "/etc/keel/node.toml")
                .waitingFor(Wait.forLogMessage(".*node n" + n + " started.*", 1)
                        .withStartupTimeout(NODE_START));
    }

    private static String toml(int self, int size) {
        StringBuilder sb = new StringBuilder()
                .append("id = \"n").append(self).append("\"\n")
                .append("bind = \"0.0.0.0\"\n")
                .append("advertise = \"n").append(self).append("\"\n")
                .append("client_port = ").append(CLIENT_PORT).append('\n')
                .append("raft_port = ").append(RAFT_PORT).append('\n')
                .append("admin_port = ").append(ADMIN_PORT).append('\n')
                .append("data_dir = \"/data\"\n")
                .append("leader_wait_ms = 3000\n")
                .append("request_timeout_ms = 8000\n");
        for (int i = 1; i <= size; i++) {
            if (i != self) {
                sb.append("[[peers]]\nid = \"n").append(i).append("\"\nraft = \"n").append(i).append(':')
                        .append(RAFT_PORT).append("\"\nclient = \"n").append(i).append(':').append(CLIENT_PORT)
                        .append("\"\n");
            }
        }
        sb.append("[raft]\nheartbeat_ms = 50\nelection_timeout_min_ms = 500\nelection_timeout_max_ms = 1000\n");
        return sb.toString();
    }

    int size() {
        return containers.size();
    }

    /**
     * Starts a new, empty node {@code n<size+1>} that joins the cluster through the client ports of {@code seeds}
     * ({@code keel-kv run --join}); returns its index once it is up.
     */
    int join(List<Integer> seeds) {
        int self = containers.size() + 1;
        String join = seeds.stream().map(i -> "\"n" + (i + 1) + ":" + CLIENT_PORT + "\"")
                .collect(java.util.stream.Collectors.joining(", ", "join = [", "]\n"));
        String toml = toml(self, 0); // no peers: a joining node learns the members from a seed
        GenericContainer<?> c = new GenericContainer<>(KvImage.get())
                .withNetwork(raft)
                .withNetworkAliases("n" + self)
                .withExposedPorts(CLIENT_PORT, ADMIN_PORT)
                .withCopyToContainer(Transferable.of(join + toml), "/etc/keel/node.toml")
                .waitingFor(Wait.forLogMessage(".*node n" + self + " started.*", 1)
                        .withStartupTimeout(NODE_START));
        containers.add(c);
        c.start();
        docker.connectToNetworkCmd().withNetworkId(access.getId()).withContainerId(c.getContainerId()).exec();
        return self - 1;
    }

    String id(int i) {
        return containers.get(i).getContainerId();
    }

    /** The host port currently published for node {@code i}'s client port. */
    int clientPort(int i) {
        return publishedPort(i, CLIENT_PORT);
    }

    /** The host port currently published for node {@code i}'s HTTP admin port. */
    int adminPort(int i) {
        return publishedPort(i, ADMIN_PORT);
    }

    private int publishedPort(int i, int port) {
        InspectContainerResponse r = docker.inspectContainerCmd(id(i)).exec();
        Ports.Binding[] bindings = r.getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(port));
        if (bindings == null || bindings.length == 0) {
            throw new IllegalStateException("n" + (i + 1) + " has no published port for " + port);
        }
        return Integer.parseInt(bindings[0].getHostPortSpec());
    }

    /** A client for node {@code i}, with {@code timeoutMs} for connecting and for every reply. */
    Jedis client(int i, int timeoutMs) {
        return new Jedis("localhost", clientPort(i), timeoutMs);
    }

    /** Node {@code i}'s INFO raft fields, or empty if it does not answer. */
    Optional<Map<String, String>> raftInfo(int i) {
        try (Jedis j = client(i, 2000)) {
            Map<String, String> fields = new HashMap<>();
            for (String line : j.info("raft").split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1));
                }
            }
            return Optional.of(fields);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Waits until one of {@code nodes} leads, as every one of them agrees; returns its index. */
    int awaitLeader(Duration timeout, List<Integer> nodes) {
        int[] found = {-1};
        Await.until("a leader among " + nodes, timeout, () -> {
            String leader = null;
            for (int i : nodes) {
                Optional<Map<String, String>> info = raftInfo(i);
                if (info.isEmpty() || info.get().get("leader").isEmpty()) {
                    return false;
                }
                if (leader != null && !leader.equals(info.get().get("leader"))) {
                    return false;
                }
                leader = info.get().get("leader");
            }
            int index = Integer.parseInt(leader.substring(1)) - 1;
            if (!nodes.contains(index)) {
                return false;
            }
            found[0] = index;
            return raftInfo(index).map(f -> "leader".equals(f.get("role"))).orElse(false);
        });
        return found[0];
    }

    /** Waits until node {@code i} has applied at least {@code index}. */
    void awaitApplied(int i, long index, Duration timeout) {
        Await.until("n" + (i + 1) + " applied " + index, timeout, () -> raftInfo(i)
                .map(f -> Long.parseLong(f.get("applied_index")) >= index).orElse(false));
    }

    long commitIndex(int i) {
        return raftInfo(i).map(f -> Long.parseLong(f.get("commit_index")))
                .orElseThrow(() -> new AssertionError("n" + (i + 1) + " does not answer INFO"));
    }

    /** Node {@code i}'s IP address on the Raft network (it may change when the container starts again). */
    String raftAddress(int i) {
        InspectContainerResponse r = docker.inspectContainerCmd(id(i)).exec();
        return r.getNetworkSettings().getNetworks().values().stream()
                .filter(n -> raft.getId().equals(n.getNetworkID()))
                .map(ContainerNetwork::getIpAddress)
                .filter(ip -> ip != null && !ip.isEmpty())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("n" + (i + 1) + " is not on the Raft network"));
    }

    /** The host PID of node {@code i}'s process (it names the container's network namespace), if it runs. */
    Optional<Long> pid(int i) {
        Long pid = docker.inspectContainerCmd(id(i)).exec().getState().getPidLong();
        return pid == null || pid == 0 ? Optional.empty() : Optional.of(pid);
    }

    /** SIGKILL: the node's process dies at once; its container (and data) stay for {@link #restart}. */
    void kill(int i) {
        docker.killContainerCmd(id(i)).exec();
    }

    /** Starts a killed node's container again, on the same data. */
    void restart(int i) {
        docker.startContainerCmd(id(i)).exec();
    }

    /**
     * Waits until node {@code i}'s process answers {@code INFO raft}: after a restart it recovers its log and snapshot
     * first. Given as long as a first start ({@link #NODE_START}), not an election's time.
     */
    void awaitServing(int i) {
        Await.until("n" + (i + 1) + " to answer INFO after its start", NODE_START, () -> raftInfo(i).isPresent());
    }

    /** SIGTERM and wait: a clean stop of node {@code i}'s process; its container and data stay. */
    void stopNode(int i) {
        docker.stopContainerCmd(id(i)).withTimeout(20).exec();
    }

    /** Cuts node {@code i} off from the other nodes (its clients can still reach it). */
    void partition(int i) {
        docker.disconnectFromNetworkCmd().withNetworkId(raft.getId()).withContainerId(id(i)).exec();
    }

    /** Reconnects node {@code i} to the other nodes, under its old name. */
    void heal(int i) {
        docker.connectToNetworkCmd().withNetworkId(raft.getId()).withContainerId(id(i))
                .withContainerNetwork(new ContainerNetwork().withAliases("n" + (i + 1))).exec();
    }

    /** Freezes every process of node {@code i} (cgroup freezer). */
    void pause(int i) {
        docker.pauseContainerCmd(id(i)).exec();
    }

    void unpause(int i) {
        docker.unpauseContainerCmd(id(i)).exec();
    }

    /**
     * Stops node {@code i} and removes its container with its data, saving its output as
     * {@code <name>-n<i>-removed.log}; {@link #startEmptyNode} brings the node back with empty storage.
     */
    void removeNode(int i) {
        GenericContainer<?> old = containers.get(i);
        saveLog(old, name + "-n" + (i + 1) + "-removed");
        old.stop();
    }

    /** Starts node {@code i} (removed before) in a new container under the same id and name, with empty storage. */
    void startEmptyNode(int i) {
        GenericContainer<?> fresh = newContainer(i + 1);
        fresh.start();
        docker.connectToNetworkCmd().withNetworkId(access.getId()).withContainerId(fresh.getContainerId()).exec();
        containers.set(i, fresh);
    }

    /** Node {@code i}'s output so far. */
    String logs(int i) {
        return containers.get(i).getLogs();
    }

    /**
     * The regular files under {@code dir} in node {@code i}'s container (names relative to it) with their sizes, read
     * through Docker's archive API: the image has no shell to run {@code ls} or {@code du} in.
     */
    Map<String, Long> files(int i, String dir) {
        Map<String, Long> files = new TreeMap<>();
        try (InputStream in = docker.copyArchiveFromContainerCmd(id(i), dir).exec();
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isFile()) {
                    String path = e.getName();
                    files.put(path.substring(path.indexOf('/') + 1), e.getSize());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + " of n" + (i + 1), e);
        }
        return files;
    }

    /** Keeps every node's output in {@code target/container-logs}, then removes the containers and networks. */
    @Override
    public void close() {
        for (int i = 0; i < containers.size(); i++) {
            GenericContainer<?> c = containers.get(i);
            saveLog(c, name + "-n" + (i + 1));
            try {
                c.stop();
            } catch (RuntimeException e) {
                System.out.println("cannot stop n" + (i + 1) + ": " + e);
            }
        }
        raft.close();
        access.close();
    }

    private static void saveLog(GenericContainer<?> c, String file) {
        try {
            Path dir = Path.of("target", "container-logs");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(file + ".log"), c.getLogs());
        } catch (IOException | RuntimeException e) {
            System.out.println("cannot save the log " + file + ": " + e);
        }
    }
}
