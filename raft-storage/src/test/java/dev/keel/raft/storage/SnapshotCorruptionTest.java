package dev.keel.raft.storage;

import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.storage.internal.SnapshotFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static dev.keel.raft.storage.TestSnapshots.content;
import static dev.keel.raft.storage.TestSnapshots.read;
import static dev.keel.raft.storage.TestSnapshots.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Damage to a snapshot file, in every class of its bytes (header, body, metadata trailer, each checksum), by
 * truncation, extension, deletion, renaming or a newer format version, is detected at open: the damaged snapshot is
 * never returned, the previous good one is, and a WARN names the file and the reason.
 */
class SnapshotCorruptionTest {
    private static final int HEADER = 32;

    @TempDir
    Path dir;

    private final Map<String, byte[]> pristine = new TreeMap<>();
    private SnapshotMetadata s10;
    private SnapshotMetadata s20;
    private SnapshotMetadata s30;

    @BeforeEach
    void writeThreeSnapshots() throws IOException {
        try (FileSnapshotStorage s = FileSnapshotStorage.open(config())) {
            s10 = write(s, 10, 5_000);
            s20 = write(s, 20, 7_000);
            s30 = write(s, 30, 100_000);
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".snap")).toList()) {
                pristine.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        assertThat(pristine).hasSize(3);
    }

    private SnapshotStorageConfig config() {
        return SnapshotStorageConfig.builder(dir).retainedSnapshots(3).build();
    }

    private Path newest() {
        return SnapshotFiles.snapshotPath(dir, 30);
    }

    /** Every file back as written, nothing else. */
    private void restore() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().equals("LOCK")).toList()) {
                Files.delete(f);
            }
        }
        for (Map.Entry<String, byte[]> e : pristine.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
    }

    private int trailerLength() {
        byte[] b = pristine.get(newest().getFileName().toString());
        return ByteBuffer.wrap(b).getInt(b.length - 8);
    }

    /**
     * Opens the storage on the damaged newest snapshot and checks the outcome: the snapshot at 20 is the latest, 30
     * is neither listed nor readable, the WARN names the file and {@code reason}, and the file was moved aside.
     */
    private void assertNewestRejected(String what, String reason) throws Exception {
        String log = CorruptionTest.captureStderr(() -> {
            try (FileSnapshotStorage s = FileSnapshotStorage.open(config())) {
                assertThat(s.latest()).as(what).contains(s20);
                assertThat(s.snapshots()).as(what).containsExactly(s10, s20);
                assertThatThrownBy(() -> s.open(s30, 0)).as(what).isInstanceOf(IOException.class);
                assertThat(read(s, s20)).as(what).isEqualTo(content(20, 7_000));
            }
        });
        assertThat(log).as(what).contains("WARN").contains(newest().toString()).contains(reason);
        assertThat(Files.exists(newest())).as(what + ": moved aside").isFalse();
        assertThat(Files.exists(SnapshotFiles.snapshotPath(dir, 30).resolveSibling(
                newest().getFileName() + SnapshotFiles.UNUSABLE_SUFFIX))).as(what).isTrue();
    }

    private static void rewrite(Path file, java.util.function.UnaryOperator<byte[]> change) throws IOException {
        Files.write(file, change.apply(Files.readAllBytes(file)));
    }

    @Test
    void aFlipInAnyHeaderByteIsDetected() throws Exception {
        for (int offset = 0; offset < HEADER; offset++) {
            restore();
            CorruptionTest.flipBit(newest(), offset, offset % 8);
            String reason = offset < 4 ? "bad magic" : offset < 6 ? "unsupported snapshot format version"
                    : "header checksum mismatch";
            assertNewestRejected("header byte " + offset, reason);
        }
    }

    @Test
    void aFlipInAnyMetadataTrailerByteIsDetected() throws Exception {
        int length = pristine.get(newest().getFileName().toString()).length;
        int trailer = trailerLength();
        for (int offset = length - trailer; offset < length; offset++) {
            restore();
            CorruptionTest.flipBit(newest(), offset, offset % 8);
            assertNewestRejected("trailer byte " + (offset - (length - trailer)), "offset");
        }
    }

    @Test
    void aFlipInTheBodyIsDetectedByItsChecksum() throws Exception {
        long seed = TestLogs.seed("aFlipInTheBodyIsDetectedByItsChecksum");
        SplittableRandom random = new SplittableRandom(seed);
        long[] offsets = new long[13];
        offsets[0] = HEADER;
        offsets[1] = HEADER + s30.size() / 2;
        offsets[2] = HEADER + s30.size() - 1;
        for (int i = 3; i < offsets.length; i++) {
            offsets[i] = HEADER + random.nextLong(s30.size());
        }
        for (long offset : offsets) {
            restore();
            CorruptionTest.flipBit(newest(), offset, random.nextInt(8));
            assertNewestRejected("body offset " + (offset - HEADER) + " of seed " + seed, "body checksum mismatch");
        }
    }

    @Test
    void eachChecksumFieldIsItselfProtected() throws Exception {
        int length = pristine.get(newest().getFileName().toString()).length;
        int trailerStart = length - trailerLength();
        restore();
        CorruptionTest.flipBit(newest(), 28, 0);
        assertNewestRejected("header checksum", "header checksum mismatch");
        restore();
        CorruptionTest.flipBit(newest(), trailerStart + 32, 0);
        assertNewestRejected("body checksum field", "metadata checksum mismatch");
        restore();
        CorruptionTest.flipBit(newest(), length - 1, 0);
        assertNewestRejected("metadata checksum", "metadata checksum mismatch");
    }

    @Test
    void aTruncatedFileIsDetectedWhereverItEnds() throws Exception {
        int length = pristine.get(newest().getFileName().toString()).length;
        int trailer = trailerLength();
        for (long size : new long[]{0, 1, HEADER - 1, HEADER, HEADER + 1, HEADER + s30.size() / 2,
                length - trailer, length - trailer + 1, length - 9, length - 8, length - 4, length - 1}) {
            restore();
            CorruptionTest.cut(newest(), size);
            assertNewestRejected("cut to " + size + " of " + length + " bytes", "offset");
        }
    }

    @Test
    void bytesAppendedToAFileAreDetected() throws Exception {
        for (int extra : new int[]{1, 8, 100, 70_000}) {
            restore();
            rewrite(newest(), b -> Arrays.copyOf(b, b.length + extra));
            assertNewestRejected(extra + " zero bytes appended", "offset");
        }
    }

    @Test
    void aMissingFileFallsBackToThePreviousSnapshot() throws Exception {
        Files.delete(newest());
        try (FileSnapshotStorage s = FileSnapshotStorage.open(config())) {
            assertThat(s.latest()).contains(s20);
        }
    }

    @Test
    void aFileDeletedWhileOpenFailsItsReadsWithAnIOException() throws Exception {
        try (FileSnapshotStorage s = FileSnapshotStorage.open(config())) {
            Files.delete(newest());
            assertThatThrownBy(() -> s.open(s30, 0)).isInstanceOf(IOException.class)
                    .hasMessageContaining(newest().toString());
        }
    }

    @Test
    void aNewerFormatVersionIsReportedAsSuchAndNotUsed() throws Exception {
        rewrite(newest(), b -> withVersion(b, 0, 28, 2));
        assertNewestRejected("header version 2", "unsupported snapshot format version 2");
        restore();
        int trailer = trailerLength();
        rewrite(newest(), b -> withVersion(b, b.length - trailer, trailer - 4, 2));
        assertNewestRejected("trailer version 2", "unsupported snapshot metadata format version 2");
    }

    /** Sets the version field of the structure at {@code start} and recomputes its checksum over {@code crcLength}. */
    private static byte[] withVersion(byte[] file, int start, int crcLength, int version) {
        ByteBuffer b = ByteBuffer.wrap(file);
        b.putShort(start + 4, (short) version);
        CRC32C crc = new CRC32C();
        crc.update(file, start, crcLength);
        b.putInt(start + crcLength, (int) crc.getValue());
        return file;
    }

    @Test
    void aSnapshotRenamedToAnotherIndexIsDetected() throws Exception {
        Path renamed = SnapshotFiles.snapshotPath(dir, 40);
        Files.move(newest(), renamed);
        String log = CorruptionTest.captureStderr(() -> {
            try (FileSnapshotStorage s = FileSnapshotStorage.open(config())) {
                assertThat(s.latest()).contains(s20);
            }
        });
        assertThat(log).contains(renamed.toString()).contains("header says index 30 but the file name says 40");
    }

    @Test
    void withEverySnapshotDamagedThereIsNoneAndNewOnesCanBeWritten() throws Exception {
        for (long index : new long[]{10, 20, 30}) {
            CorruptionTest.flipBit(SnapshotFiles.snapshotPath(dir, index), HEADER, 1);
        }
        try (FileSnapshotStorage s = FileSnapshotStorage.open(config())) {
            assertThat(s.latest()).isEmpty();
            SnapshotMetadata m = write(s, 40, 1000);
            assertThat(s.snapshots()).containsExactly(m);
        }
    }

    @Test
    void randomDamageToRandomFilesNeverYieldsACorruptSnapshot() throws Exception {
        long seed = TestLogs.seed("randomDamageToRandomFilesNeverYieldsACorruptSnapshot");
        SplittableRandom random = new SplittableRandom(seed);
        List<SnapshotMetadata> all = List.of(s10, s20, s30);
        int rejected = 0;
        for (int round = 0; round < 60; round++) {
            restore();
            SnapshotMetadata victim = all.get(random.nextInt(all.size()));
            Path file = SnapshotFiles.snapshotPath(dir, victim.index());
            byte[] b = Files.readAllBytes(file);
            String what = "round " + round + " of seed " + seed + ": ";
            switch (random.nextInt(4)) {
                case 0 -> {
                    int at = random.nextInt(b.length);
                    b[at] ^= (byte) (1 << random.nextInt(8));
                    what += "bit flip at " + at;
                }
                case 1 -> {
                    int to = random.nextInt(b.length);
                    b = Arrays.copyOf(b, to);
                    what += "cut to " + to;
                }
                case 2 -> {
                    int at = random.nextInt(b.length);
                    int n = 1 + random.nextInt(Math.min(64, b.length - at));
                    for (int i = at; i < at + n; i++) {
                        b[i] = (byte) random.nextInt(256);
                    }
                    what += n + " random bytes at " + at;
                }
                default -> {
                    byte[] garbage = new byte[1 + random.nextInt(200)];
                    random.nextBytes(garbage);
                    byte[] longer = Arrays.copyOf(b, b.length + garbage.length);
                    System.arraycopy(garbage, 0, longer, b.length, garbage.length);
                    b = longer;
                    what += garbage.length + " random bytes appended";
                }
            }
            if (Arrays.equals(b, Files.readAllBytes(file))) {
                continue; // random bytes equal to the original: no damage
            }
            Files.write(file, b);
            try (FileSnapshotStorage s = FileSnapshotStorage.open(config())) {
                assertThat(s.snapshots()).as(what).doesNotContain(victim)
                        .containsExactlyElementsOf(all.stream().filter(m -> m != victim).toList());
                for (SnapshotMetadata m : s.snapshots()) {
                    assertThat(read(s, m)).as(what).isEqualTo(content(m.index(), (int) m.size()));
                }
            }
            rejected++;
        }
        assertThat(rejected).isGreaterThan(50);
    }
}
