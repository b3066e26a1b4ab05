package dev.keel.raft.examples.snapshot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A follower catches up by InstallSnapshot from a state of 256 MiB ({@code -Dkeel.big.snapshot.mib}) in a JVM whose
 * whole heap is 96 MiB: the snapshot is written, sent and installed as a stream, never held in memory on either
 * side, and the follower ends with exactly the leader's state.
 */
class LargeInstallSnapshotTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void aSnapshotLargerThanTheHeapIsInstalledOverTheNetwork() throws Exception {
        long size = Long.getLong("keel.big.snapshot.mib", 256) << 20;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path log = dir.resolve("child.log");
        Process p = new ProcessBuilder(java, "-Xmx96m", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classpath,
                BigStateTransfer.class.getName(), dir.toString(), Long.toString(size))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(540, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(ended).as("child finished:\n%s", output).isTrue();
        assertThat(p.exitValue()).as("child exit code:\n%s", output).isZero();
        Map<String, String[]> lines = new HashMap<>();
        for (String line : output.split("\n")) {
            String[] f = line.trim().split(" ");
            lines.put(f[0], f);
        }
        assertThat(lines).as(output).containsKeys("SNAPSHOT", "INSTALLED", "EXPECTED", "PEAK_HEAP", "SOCKET_COPY");
        assertThat(Long.parseLong(lines.get("SNAPSHOT")[1])).as("snapshot size").isGreaterThan(size);
        assertThat(lines.get("INSTALLED")[1]).as("the follower's restored state").isEqualTo(lines.get("EXPECTED")[1]);
        assertThat(Long.parseLong(lines.get("EXPECTED")[2])).as("commands the snapshot stood for")
                .isGreaterThanOrEqualTo(200);
        assertThat(Long.parseLong(lines.get("INSTALLED")[3])).as("the follower's snapshot index").isPositive();
        // The proof of streaming is that the transfer completed at all in a heap that cannot hold the snapshot even
        // once (an OutOfMemoryError fails the child). Check that premise held; the per-pool peaks printed below are
        // summed over pools that peak at different moments, so they overstate the real peak and are only a hint.
        long maxHeap = Long.parseLong(lines.get("PEAK_HEAP")[2]);
        assertThat(maxHeap).as("the child JVM's maximum heap").isLessThan(size / 2);
        long peak = Long.parseLong(lines.get("PEAK_HEAP")[1]);
        double mib = size / (1024.0 * 1024.0);
        System.out.printf("big snapshot: %.0f MiB; written in %s s (%.0f MiB/s); installed over Netty in %s s "
                        + "(%.0f MiB/s); plain loopback socket copy %s s (%.0f MiB/s); sum of heap pool peaks %d MiB%n",
                mib, lines.get("SNAPSHOT")[3], mib / Double.parseDouble(lines.get("SNAPSHOT")[3]),
                lines.get("INSTALLED")[2], mib / Double.parseDouble(lines.get("INSTALLED")[2]),
                lines.get("SOCKET_COPY")[1], mib / Double.parseDouble(lines.get("SOCKET_COPY")[1]), peak >> 20);
    }
}
