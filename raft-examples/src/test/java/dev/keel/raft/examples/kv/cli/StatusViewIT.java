package dev.keel.raft.examples.kv.cli;

import dev.keel.raft.examples.kv.RespCall;
import dev.keel.raft.examples.kv.cluster.ClusterLayout;
import dev.keel.raft.examples.kv.config.HostPort;
import dev.keel.raft.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code keel-kv status --watch} in a real terminal (tmux, 80x24) against three {@code keel-kv run} processes on
 * loopback, as an operator runs them: the screen fits, refreshes every second, shows the leader and every node's
 * row, and follows a node going down and coming back.
 */
@Timeout(300)
class StatusViewIT {
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration SCREEN = Duration.ofSeconds(30);
    private static final Pattern ROW = Pattern.compile("^(n\\d)\\s+(leader|follower|candidate|pre-cand|learner)\\s+"
            + "(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+.*$");
    private static final Pattern TITLE = Pattern.compile("^keel-kv status\\s+(\\d\\d:\\d\\d:\\d\\d)\\s+leader (n\\d)");

    @TempDir
    static Path dir;
    private static ClusterLayout layout;
    private static final List<Process> nodes = new ArrayList<>();
    private static final Tmux tmux = new Tmux();

    @BeforeAll
    static void startCluster() throws IOException {
        Tmux.require();
        int base = freeBase();
        layout = ClusterLayout.prepare(dir, 3, "127.0.0.1", base, base + 10, base + 20);
        for (int i = 0; i < 3; i++) {
            nodes.add(null);
            startNode(i);
        }
        HostPort seed = new HostPort("127.0.0.1", layout.nodes().get(0).clientPort());
        Await.until("the processes to elect a leader", START, () -> {
            try {
                Object info = RespCall.call(seed, Duration.ofSeconds(2), "INFO", "raft");
                return info instanceof String s && s.matches("(?s).*\\r\\nleader:n\\d\\r\\n.*");
            } catch (IOException e) {
                return false;
            }
        });
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        tmux.close();
        for (Process p : nodes) {
            if (p != null) {
                p.destroy();
            }
        }
        for (Process p : nodes) {
            if (p != null && !p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** Runs node {@code i} with the shipped script, as {@code keel-kv cluster} would. */
    private static void startNode(int i) throws IOException {
        ClusterLayout.Node n = layout.nodes().get(i);
        nodes.set(i, new ProcessBuilder("./keel-kv", "run", "--config", n.config().toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(n.logFile().toFile()))
                .start());
    }

    /** A first port such that the three client, Raft and admin ports from it (+0..2, +10..12, +20..22) are free. */
    private static int freeBase() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 40_000);
            boolean free = true;
            for (int offset : new int[]{0, 1, 2, 10, 11, 12, 20, 21, 22}) {
                try (ServerSocket s = new ServerSocket(base + offset, 1, InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no free range of ports found");
    }

    private static List<String> rows(List<String> screen) {
        return screen.stream().filter(l -> ROW.matcher(l).matches()).toList();
    }

    private static Optional<String> title(List<String> screen) {
        return screen.stream().filter(l -> TITLE.matcher(l).find()).findFirst();
    }

    @Test
    void theWatchedStatusFitsEightyByTwentyFourRefreshesAndFollowsANodeGoingDownAndBack() throws Exception {
        int port = layout.nodes().get(0).clientPort();
        tmux.start("./keel-kv status --watch -p " + port, 80, 24);
        List<String>[] screen = new List[1];
        Await.until("the status screen to show a leader and three nodes", SCREEN, () -> {
            screen[0] = tmux.screen();
            return title(screen[0]).isPresent() && rows(screen[0]).size() == 3;
        });
        assertThat(screen[0]).hasSizeLessThanOrEqualTo(24).allMatch(l -> l.length() <= 80);
        assertThat(String.join("\n", screen[0])).contains("NODE", "ROLE", "TERM", "COMMIT", "APPLIED", "LAG",
                "OPS/S", "FSYNC99", "LEADER");
        Matcher t = TITLE.matcher(title(screen[0]).orElseThrow());
        assertThat(t.find()).isTrue();
        String leader = t.group(2);
        String firstTime = t.group(1);
        assertThat(rows(screen[0])).filteredOn(r -> r.startsWith(leader + " ")).singleElement()
                .satisfies(r -> assertThat(r).contains(" leader "));
        assertThat(rows(screen[0])).filteredOn(r -> r.contains(" follower ")).hasSize(2)
                .allSatisfy(r -> assertThat(r).endsWith(leader));

        // Writes show up: the leader's commit index on screen moves.
        long commitBefore = commit(screen[0], leader);
        HostPort client = new HostPort("127.0.0.1", port);
        for (int k = 0; k < 20; k++) {
            assertThat(RespCall.call(client, Duration.ofSeconds(10), "SET", "k" + k, "v")).isEqualTo("OK");
        }
        Await.until("the screen to refresh with the new commits", SCREEN, () -> {
            screen[0] = tmux.screen();
            return title(screen[0]).map(l -> !l.contains(firstTime)).orElse(false)
                    && rows(screen[0]).size() == 3 && commit(screen[0], leader) >= commitBefore + 20;
        });

        int down = layout.nodes().stream().filter(n -> !n.id().equals(leader)).findFirst().map(n ->
                layout.nodes().indexOf(n)).orElseThrow();
        String downId = layout.nodes().get(down).id();
        nodes.get(down).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        Await.until(downId + " shown down", SCREEN, () -> {
            screen[0] = tmux.screen();
            return screen[0].stream().anyMatch(l -> l.startsWith(downId + " ") && l.contains("DOWN"))
                    && screen[0].contains("! " + downId + " does not answer at 127.0.0.1:"
                    + layout.nodes().get(down).clientPort());
        });
        assertThat(screen[0]).allMatch(l -> l.length() <= 80);

        startNode(down);
        Await.until(downId + " back as a follower", START, () -> {
            screen[0] = tmux.screen();
            return rows(screen[0]).stream().anyMatch(r -> r.startsWith(downId + " ") && r.contains(" follower "));
        });

        tmux.keys("C-c");
        Await.until("Ctrl-C to end the status view", SCREEN, () -> !tmux.commandRunning());
    }

    private static long commit(List<String> screen, String node) {
        for (String r : rows(screen)) {
            Matcher m = ROW.matcher(r);
            if (m.matches() && m.group(1).equals(node)) {
                return Long.parseLong(m.group(4));
            }
        }
        return -1;
    }
}
