package dev.keel.raft.storage;

import dev.keel.raft.NodeId;
import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotWriter;
import dev.keel.raft.storage.internal.SnapshotFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.keel.raft.storage.TestSnapshots.MEMBERS;
import static dev.keel.raft.storage.TestSnapshots.content;
import static dev.keel.raft.storage.TestSnapshots.crc;
import static dev.keel.raft.storage.TestSnapshots.read;
import static dev.keel.raft.storage.TestSnapshots.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Behaviour of {@link FileSnapshotStorage} beyond the SPI contract: files, retention, lock, concurrency. */
class FileSnapshotStorageTest {
    @TempDir
    Path dir;

    private final List<FileSnapshotStorage> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(FileSnapshotStorage::close);
    }

    private FileSnapshotStorage open(int retained) {
        FileSnapshotStorage s = FileSnapshotStorage.open(SnapshotStorageConfig.builder(dir)
                .retainedSnapshots(retained).build());
        opened.add(s);
        return s;
    }

    private List<String> files() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> !n.equals("LOCK")).sorted().toList();
        }
    }

    @Test
    void aCommittedSnapshotIsOneFileNamedAfterItsIndexAndNothingElseRemains() throws Exception {
        FileSnapshotStorage s = open(2);
        SnapshotMetadata m = write(s, 42, 10_000);
        assertThat(files()).containsExactly("snapshot-00000000000000000042.snap");
        assertThat(m).isEqualTo(new SnapshotMetadata(42, 5, MEMBERS, 0, 10_000, crc(content(42, 10_000))));
        assertThat(read(s, m)).isEqualTo(content(42, 10_000));
    }

    @Test
    void retentionKeepsTheNewestAtEveryCommitAndAtOpen() throws Exception {
        FileSnapshotStorage s = open(3);
        List<SnapshotMetadata> all = new ArrayList<>();
        for (long i = 1; i <= 5; i++) {
            all.add(write(s, i * 10, 100));
        }
        assertThat(s.snapshots()).containsExactlyElementsOf(all.subList(2, 5));
        assertThat(files()).hasSize(3);
        s.close();
        FileSnapshotStorage fewer = open(1);
        assertThat(fewer.snapshots()).containsExactly(all.get(4));
        assertThat(files()).containsExactly("snapshot-00000000000000000050.snap");
    }

    @Test
    void anOlderSnapshotCommittedLateIsDeletedByRetentionAtOnce() throws Exception {
        FileSnapshotStorage s = open(2);
        SnapshotMetadata a = write(s, 20, 100);
        SnapshotMetadata b = write(s, 30, 100);
        write(s, 10, 100);
        assertThat(s.snapshots()).containsExactly(a, b);
        assertThat(files()).hasSize(2);
    }

    @Test
    void aSnapshotOfTheSameIndexReplacesTheOldOneAndTheOldMetadataIsNoLongerServed() throws Exception {
        FileSnapshotStorage s = open(2);
        SnapshotMetadata first = write(s, 10, 100);
        SnapshotMetadata second = write(s, 10, 200);
        assertThat(s.latest()).contains(second);
        assertThat(s.snapshots()).containsExactly(second);
        assertThatThrownBy(() -> s.open(first, 0)).isInstanceOf(IOException.class).hasMessageContaining("replaced");
        assertThat(read(s, second)).isEqualTo(content(10, 200));
    }

    @Test
    void aStreamOpenedBeforeRetentionDeletesItsSnapshotReadsToTheEnd() throws Exception {
        FileSnapshotStorage s = open(1);
        SnapshotMetadata old = write(s, 10, 300_000);
        try (InputStream in = s.open(old, 0)) {
            byte[] head = in.readNBytes(1000);
            write(s, 20, 100);
            assertThat(files()).containsExactly("snapshot-00000000000000000020.snap");
            byte[] rest = in.readAllBytes();
            byte[] all = new byte[head.length + rest.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(rest, 0, all, head.length, rest.length);
            assertThat(all).isEqualTo(content(10, 300_000));
        }
        assertThatThrownBy(() -> s.open(old, 0)).isInstanceOf(IOException.class).hasMessageContaining("deleted");
    }

    @Test
    void readsFromAnyOffsetAndRejectsOffsetsOutside() throws Exception {
        FileSnapshotStorage s = open(2);
        SnapshotMetadata m = write(s, 7, 5000);
        for (long offset : new long[]{0, 1, 2499, 4999, 5000}) {
            try (InputStream in = s.open(m, offset)) {
                assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content(7, 5000),
                        (int) offset, 5000));
            }
        }
        assertThatThrownBy(() -> s.open(m, 5001)).isInstanceOf(IOException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> s.open(m, -1)).isInstanceOf(IOException.class).hasMessageContaining("outside");
    }

    @Test
    void readsOfEverySizeFromOneByteUpReturnTheBytesInOrder() throws Exception {
        FileSnapshotStorage s = open(2);
        byte[] data = content(8, 700_000);
        SnapshotMetadata m = write(s, 8, data.length);
        java.util.SplittableRandom random = new java.util.SplittableRandom(8);
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        try (InputStream in = s.open(m, 0)) {
            while (true) {
                int size = switch (random.nextInt(4)) {
                    case 0 -> 0; // single byte
                    case 1 -> 1 + random.nextInt(100);
                    case 2 -> 1 + random.nextInt(100_000);
                    default -> 300_000 + random.nextInt(300_000);
                };
                if (size == 0) {
                    int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    got.write(b);
                } else {
                    byte[] buf = new byte[size];
                    int n = in.read(buf, 0, size);
                    if (n < 0) {
                        break;
                    }
                    assertThat(n).isPositive().isLessThanOrEqualTo(size);
                    got.write(buf, 0, n);
                }
            }
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(got.toByteArray()).isEqualTo(data);
    }

    @Test
    void aDamagedBodyAlsoFailsAStreamReadOneByteAtATime() throws Exception {
        FileSnapshotStorage s = open(2);
        SnapshotMetadata m = write(s, 7, 100_000);
        CorruptionTest.flipBit(SnapshotFiles.snapshotPath(dir, 7), 32 + 99_999, 0);
        try (InputStream in = new java.io.DataInputStream(s.open(m, 0))) {
            assertThatThrownBy(() -> {
                while (in.read() >= 0) {
                    // consume
                }
            }).isInstanceOf(IOException.class).hasMessageContaining("checksum");
        }
    }

    @Test
    void aBodyDamagedAfterOpenFailsTheLastReadOfAStreamFromTheStart() throws Exception {
        FileSnapshotStorage s = open(2);
        SnapshotMetadata m = write(s, 7, 600_000);
        Path file = SnapshotFiles.snapshotPath(dir, 7);
        CorruptionTest.flipBit(file, 32 + 123_456, 3);
        try (InputStream in = s.open(m, 0)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                    .hasMessageContaining("changed on disk").hasMessageContaining(file.toString());
        }
    }

    @Test
    void writesAreStreamedToTheTemporaryFileWhileTheyHappen() throws Exception {
        FileSnapshotStorage s = open(2);
        try (SnapshotWriter w = s.create(5, 1, MEMBERS, 0)) {
            byte[] chunk = content(5, 64 * 1024);
            for (int i = 0; i < 64; i++) {
                w.stream().write(chunk);
            }
            Path tmp = Files.list(dir).filter(p -> p.toString().endsWith(".snap.tmp")).findFirst().orElseThrow();
            // 4 MiB written, at most one 1 MiB buffer not yet in the file.
            assertThat(Files.size(tmp)).isGreaterThanOrEqualTo(3L * 1024 * 1024);
            assertThat(s.latest()).isEmpty();
            w.commit();
        }
        assertThat(s.latest()).map(SnapshotMetadata::size).contains(4L * 1024 * 1024);
    }

    @Test
    void anAbortedWriterLeavesNoFileAndRefusesFurtherUse() throws Exception {
        FileSnapshotStorage s = open(2);
        SnapshotWriter w = s.create(5, 1, MEMBERS, 0);
        w.stream().write(content(5, 1000));
        w.abort();
        w.abort();
        assertThat(files()).isEmpty();
        assertThatThrownBy(() -> w.stream().write(1)).isInstanceOf(IOException.class).hasMessageContaining("aborted");
        assertThatThrownBy(w::commit).isInstanceOf(IOException.class);
    }

    @Test
    void aVerifiedCommitAlsoRejectsADifferentIndexTermOrMembership() throws Exception {
        FileSnapshotStorage s = open(2);
        byte[] data = content(50, 4096);
        SnapshotMetadata announced = new SnapshotMetadata(50, 3, dev.keel.raft.Membership.ofVoters(java.util.List.of(dev.keel.raft.Member.of(NodeId.of("n1")))), 0, data.length, crc(data));
        SnapshotWriter w = s.create(50, 3, MEMBERS, 0);
        w.stream().write(data);
        assertThatThrownBy(() -> w.commitVerified(announced)).isInstanceOf(IOException.class)
                .hasMessageContaining("does not match");
        assertThat(files()).isEmpty();
        assertThat(s.latest()).isEmpty();
    }

    @Test
    void closingAbandonsWritersDeletesTheirFilesAndFailsTheirCommit() throws Exception {
        FileSnapshotStorage s = open(2);
        SnapshotWriter w = s.create(5, 1, MEMBERS, 0);
        w.stream().write(content(5, 1000));
        s.close();
        assertThat(files()).isEmpty();
        assertThatThrownBy(w::commit).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> s.create(6, 1, MEMBERS, 0)).isInstanceOf(IOException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void staleTemporaryFilesAreDeletedAtOpenAndOtherFilesLeftAlone() throws Exception {
        Files.createDirectories(dir);
        Files.write(dir.resolve("snapshot-00000000000000000009-3.snap.tmp"), new byte[100]);
        Files.write(dir.resolve("operator-notes.txt"), new byte[1]);
        FileSnapshotStorage s = open(2);
        assertThat(s.latest()).isEmpty();
        assertThat(files()).containsExactly("operator-notes.txt");
    }

    @Test
    void createRejectsInvalidArgumentsWithTheMetadataMessages() {
        FileSnapshotStorage s = open(2);
        assertThatThrownBy(() -> s.create(0, 1, MEMBERS, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(">= 1");
        assertThatThrownBy(() -> s.create(1, 1, MEMBERS, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("membership index");
    }

    @Test
    void aSecondStorageOnTheDirectoryIsRefusedUntilTheFirstCloses() {
        FileSnapshotStorage s = open(2);
        assertThatThrownBy(() -> open(2)).isInstanceOf(StorageException.class)
                .hasMessageContaining("snapshot directory").hasMessageContaining("already open in this JVM");
        s.close();
        assertThat(open(2).latest()).isEmpty();
    }

    @Test
    void aLogAndSnapshotsInOneDirectoryAreRefused() {
        FileLogStorage log = FileLogStorage.open(StorageConfig.builder(dir).build());
        try {
            assertThatThrownBy(() -> open(2)).isInstanceOf(StorageException.class)
                    .hasMessageContaining("a directory each");
        } finally {
            log.close();
        }
    }

    @Test
    void withoutFsyncSnapshotsStillCommitAndSurviveReopen() throws Exception {
        SnapshotStorageConfig config = SnapshotStorageConfig.builder(dir).fsyncPolicy(FsyncPolicy.NEVER).build();
        SnapshotMetadata m;
        try (FileSnapshotStorage s = FileSnapshotStorage.open(config)) {
            m = write(s, 3, 1000);
        }
        try (FileSnapshotStorage s = FileSnapshotStorage.open(config)) {
            assertThat(s.latest()).contains(m);
            assertThat(read(s, m)).isEqualTo(content(3, 1000));
        }
    }

    @Test
    void concurrentWritersAndReadersSeeOnlyCompleteSnapshots() throws Exception {
        FileSnapshotStorage s = open(3);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int writer = t;
                tasks.add(pool.submit(() -> {
                    for (int i = 1; i <= 15; i++) {
                        write(s, i * 10L + writer, 20_000 + i * 100);
                    }
                    return null;
                }));
            }
            tasks.add(pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    SnapshotMetadata m = s.latest().orElse(null);
                    if (m == null) {
                        continue;
                    }
                    try {
                        assertThat(read(s, m)).isEqualTo(content(m.index(), (int) m.size()));
                    } catch (IOException deletedMeanwhile) {
                        assertThat(deletedMeanwhile).hasMessageContaining("no longer stored");
                    }
                }
                return null;
            }));
            for (Future<?> f : tasks) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(s.snapshots()).extracting(SnapshotMetadata::index).containsExactly(150L, 151L, 152L);
        assertThat(files()).hasSize(3);
        for (SnapshotMetadata m : s.snapshots()) {
            assertThat(read(s, m)).isEqualTo(content(m.index(), (int) m.size()));
        }
    }
}
