package dev.keel.raft.storage;

import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotWriter;
import dev.keel.raft.storage.internal.SnapshotFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.keel.raft.storage.TestSnapshots.MEMBERS;
import static dev.keel.raft.storage.TestSnapshots.content;
import static dev.keel.raft.storage.TestSnapshots.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Crashes while snapshots are written never make a partial snapshot visible: after a crash at any moment, the storage
 * reopens with the snapshots committed before (or the one being committed, if its rename got through), each intact,
 * and no temporary or unusable file left.
 */
class SnapshotCrashTest {
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    Path root;

    /**
     * A child JVM ({@link SnapshotCrashWriter}) writes snapshots of up to 4 MiB back to back and is SIGKILLed at a
     * random moment, 15 rounds by default ({@code -Dkeel.snapshot.crash.rounds}); seed printed, replayable with
     * {@code -Dkeel.test.seed}.
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void sigkillWhileWritingSnapshotsNeverLeavesAPartialOneVisible() throws Exception {
        long seed = TestLogs.seed("sigkillWhileWritingSnapshotsNeverLeavesAPartialOneVisible");
        SplittableRandom random = new SplittableRandom(seed);
        int rounds = Integer.getInteger("keel.snapshot.crash.rounds", 15);
        Path dir = root.resolve("snapshots");
        Path stderr = root.resolve("child-stderr.log");
        long durable = 0; // newest index known committed
        int commits = 0;
        int killedMidWrite = 0;
        for (int round = 0; round < rounds; round++) {
            String what = "round " + round + " of seed " + seed;
            long lastCommitted = durable;
            long lastStarted = durable;
            boolean writing = false;
            try (ChildJvm child = ChildJvm.start(SnapshotCrashWriter.class, List.of("-Xmx128m"),
                    List.of(dir.toString(), Long.toString(seed * 1_000 + round)),
                    root.resolve("child-" + round + ".out"), stderr)) {
                String first = child.next(System.nanoTime() + START_TIMEOUT_NANOS);
                if (first == null || !first.startsWith("OPEN")) {
                    fail(what + ": child did not open the storage (" + first + "):\n" + CrashTest.tail(stderr));
                }
                assertThat(Long.parseLong(first.split(" ")[1])).as(what + ": latest at open").isEqualTo(durable);
                // The kill window starts at the child's first committed snapshot (ChildJvm.awaitLine).
                List<String> lines = new ArrayList<>();
                if (!child.awaitLine("C ", System.nanoTime() + START_TIMEOUT_NANOS, lines)) {
                    fail(what + ": child committed no snapshot:\n" + lines + "\n" + CrashTest.tail(stderr));
                }
                String line;
                long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(random.nextInt(1500));
                while ((line = child.next(killAt)) != null) {
                    if (line.equals(ChildJvm.EOF)) {
                        fail(what + ": child died before it was killed:\n" + CrashTest.tail(stderr));
                    }
                    lines.add(line);
                }
                child.kill();
                lines.addAll(child.drain());
                for (String l : lines) {
                    String[] f = l.split(" ");
                    long index = Long.parseLong(f[1]);
                    if (f[0].equals("W")) {
                        lastStarted = index;
                        writing = true;
                    } else if (f[0].equals("C")) {
                        lastCommitted = index;
                        writing = false;
                        commits++;
                    }
                }
            }
            if (writing) {
                killedMidWrite++;
            }
            try (FileSnapshotStorage s = FileSnapshotStorage.open(SnapshotStorageConfig.builder(dir).build())) {
                long latest = s.latest().map(SnapshotMetadata::index).orElse(0L);
                assertThat(latest).as(what + ": latest snapshot vs last acknowledged commit " + lastCommitted
                        + " and last started " + lastStarted).isBetween(lastCommitted, lastStarted);
                assertThat(s.snapshots()).as(what).hasSizeLessThanOrEqualTo(2);
                for (SnapshotMetadata m : s.snapshots()) {
                    assertThat(m.term()).as(what).isEqualTo(m.index() / 10 + 1);
                    assertThat(m.membership()).as(what).isEqualTo(MEMBERS);
                    assertThat(read(s, m)).as(what + ": bytes of " + m).isEqualTo(content(m.index(), (int) m.size()));
                }
                assertThat(otherFiles(dir)).as(what + ": temporary files deleted, nothing found unusable").isEmpty();
                durable = latest;
            }
        }
        System.out.println(rounds + " SIGKILL rounds: " + commits + " snapshots committed, " + killedMidWrite
                + " kills while one was being written, newest " + durable);
        assertThat(commits).as("the children committed snapshots").isGreaterThan(rounds);
        assertThat(killedMidWrite).as("some kills hit a snapshot being written").isPositive();
    }

    /** Files other than the lock and committed snapshots. */
    private static List<String> otherFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("LOCK") && SnapshotFiles.parseIndex(Path.of(n)) < 0).toList();
        }
    }

    /**
     * A commit that retention follows, crashed before each of its file-system steps in turn: the files, copied as they
     * were just before that step, always reopen to the old snapshots or to the new one, never a partial one.
     */
    @Test
    void aCrashBeforeAnyStepOfACommitLeavesTheOldSnapshotsOrTheNewOne() throws Exception {
        int sawOld = 0;
        int sawNew = 0;
        int step = 1;
        for (; step <= 60; step++) {
            Path dir = root.resolve("step-" + step);
            Path image = root.resolve("image-" + step);
            SnapshotStorageConfig config = SnapshotStorageConfig.builder(dir).build();
            SnapshotMetadata s10;
            SnapshotMetadata s20;
            try (FileSnapshotStorage s = FileSnapshotStorage.open(config)) {
                s10 = TestSnapshots.write(s, 10, 50_000);
                s20 = TestSnapshots.write(s, 20, 60_000);
            }
            StepFault fault = new StepFault(step, at -> copyDirectory(dir, image));
            byte[] data = content(30, 3 * 1024 * 1024 + 17);
            try (FileSnapshotStorage s = FileSnapshotStorage.open(config, InterceptingChannel.factory(fault))) {
                fault.armed.set(true);
                try (SnapshotWriter w = s.create(30, 4, MEMBERS, 0)) {
                    OutputStream out = w.stream();
                    for (int off = 0; off < data.length; off += 256 * 1024) {
                        out.write(data, off, Math.min(256 * 1024, data.length - off));
                    }
                    w.commit();
                } catch (IOException expected) {
                    assertThat(fault.fired).as("step " + step + ": " + expected).isTrue();
                }
            }
            if (!fault.fired) {
                copyDirectory(dir, image); // the completed commit, retention included
            }
            String what = "crash before step " + step + " (" + fault.firedAt + ")";
            try (FileSnapshotStorage s = FileSnapshotStorage.open(SnapshotStorageConfig.builder(image).build())) {
                if (s.latest().orElseThrow().index() == 20) {
                    assertThat(s.snapshots()).as(what).containsExactly(s10, s20);
                    sawOld++;
                } else {
                    SnapshotMetadata latest = s.latest().orElseThrow();
                    assertThat(latest.index()).as(what).isEqualTo(30);
                    assertThat(read(s, latest)).as(what).isEqualTo(data);
                    assertThat(s.snapshots()).as(what).containsExactly(s20, latest);
                    sawNew++;
                }
                assertThat(read(s, s20)).as(what).isEqualTo(content(20, 60_000));
                assertThat(otherFiles(image)).as(what).isEmpty();
            }
            if (!fault.fired) {
                break;
            }
        }
        assertThat(step).as("the sequence has a bounded number of steps").isLessThanOrEqualTo(60);
        assertThat(sawOld).isGreaterThan(3);
        assertThat(sawNew).isPositive();
        System.out.println("commit crashed before each of " + (step - 1) + " steps: old snapshots " + sawOld
                + " times, new one " + sawNew + " times");
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().equals("LOCK")).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
