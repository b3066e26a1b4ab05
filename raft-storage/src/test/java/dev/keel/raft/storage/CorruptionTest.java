package dev.keel.raft.storage;

import dev.keel.raft.NodeId;
import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.storage.internal.SegmentFiles;
import dev.keel.raft.storage.internal.SegmentHeader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static dev.keel.raft.storage.TestLogs.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Damage to every kind of file is detected at open: a torn tail of the last segment is cut (and logged), anything
 * else refuses the open naming file and offset, and no corrupt entry is ever returned.
 */
class CorruptionTest {
    private static final int ENTRIES = 400;
    private static final HardState HARD_STATE = new HardState(9, NodeId.of("n2"));

    @TempDir
    Path dir;

    private List<LogEntry> written;
    private List<Path> segments;

    @BeforeEach
    void buildLog() throws Exception {
        written = new ArrayList<>();
        try (FileLogStorage s = FileLogStorage.open(config())) {
            CompletableFuture<Void> last = null;
            for (long i = 1; i <= ENTRIES; i += 8) {
                List<LogEntry> batch = TestLogs.entries(i, Math.min(ENTRIES, i + 7), 1 + i / 100);
                written.addAll(batch);
                last = s.append(batch);
            }
            s.saveHardState(HARD_STATE);
            await(last);
            await(s.truncateSuffix(ENTRIES + 1));
        }
        segments = SegmentFiles.listSegments(dir);
        assertThat(segments).hasSizeGreaterThan(3);
        assertThat(recordOffsets(active())).hasSizeGreaterThan(3);
    }

    private StorageConfig config() {
        return StorageConfig.builder(dir).segmentSizeBytes(StorageConfig.MIN_SEGMENT_SIZE_BYTES).cacheSizeBytes(0)
                .build();
    }

    private Path active() {
        return segments.get(segments.size() - 1);
    }

    private Path sealed() {
        return segments.get(1);
    }

    @Test
    void aBitFlipInASealedSegmentIsRefusedNamingFileAndOffset() throws IOException {
        List<Long> offsets = recordOffsets(sealed());
        long record = offsets.get(offsets.size() / 2);
        flipBit(sealed(), record + 30, 3);
        assertRefused(sealed(), "offset " + record, "sealed segment");
    }

    @Test
    void aSealedSegmentCutMidRecordIsRefused() throws IOException {
        List<Long> offsets = recordOffsets(sealed());
        long last = offsets.get(offsets.size() - 1);
        cut(sealed(), last + 10);
        assertRefused(sealed(), "offset " + last, "incomplete record in a sealed segment");
    }

    @Test
    void aBadRecordFollowedByIntactOnesInTheActiveSegmentIsRefused() throws IOException {
        List<Long> offsets = recordOffsets(active());
        long record = offsets.get(1);
        flipBit(active(), record + 26, 0);
        assertRefused(active(), "offset " + record, "an intact record follows");
    }

    @Test
    void aCorruptLengthInTheActiveSegmentCannotHideTheRecordsAfterIt() throws IOException {
        List<Long> offsets = recordOffsets(active());
        long record = offsets.get(0);
        flipBit(active(), record, 6); // length grows by 2^14: the record now seems to run past the end of the file
        assertRefused(active(), "offset " + record, "an intact record follows");
    }

    @Test
    void aDamagedLastRecordIsCutAsATornTailAndLoggedAtWarn() throws Exception {
        List<Long> offsets = recordOffsets(active());
        long last = offsets.get(offsets.size() - 1);
        flipBit(active(), last + 27, 5);
        String log = captureStderr(() -> {
            try (FileLogStorage s = FileLogStorage.open(config())) {
                assertThat(s.lastIndex()).isEqualTo(ENTRIES - 1);
                assertThat(s.entries(1, ENTRIES, Long.MAX_VALUE)).isEqualTo(written.subList(0, ENTRIES - 1));
                assertThat(s.hardState()).isEqualTo(HARD_STATE);
            }
        });
        assertThat(log).contains("WARN").contains(active().toString()).contains("offset " + last);
        assertThat(Files.size(active())).isEqualTo(last);
    }

    @Test
    void anActiveSegmentCutMidRecordWithGarbageAfterItKeepsTheIntactPrefix() throws Exception {
        List<Long> offsets = recordOffsets(active());
        long last = offsets.get(offsets.size() - 1);
        cut(active(), last + 7);
        byte[] garbage = new byte[5000];
        new SplittableRandom(42).nextBytes(garbage);
        Files.write(active(), garbage, java.nio.file.StandardOpenOption.APPEND);
        try (FileLogStorage s = FileLogStorage.open(config())) {
            assertThat(s.lastIndex()).isEqualTo(ENTRIES - 1);
            assertThat(s.entries(1, ENTRIES, Long.MAX_VALUE)).isEqualTo(written.subList(0, ENTRIES - 1));
        }
    }

    @Test
    void aDamagedHeaderIsRefusedInSealedAndActiveSegments() throws IOException {
        byte[] original = Files.readAllBytes(active());
        flipBit(sealed(), 12, 1);
        assertRefused(sealed(), "offset 0", "header checksum mismatch");
        flipBit(sealed(), 12, 1);
        flipBit(active(), 9, 7);
        assertRefused(active(), "offset 0", "bad segment header");
        Files.write(active(), original);
        flipBit(active(), 1, 0);
        assertRefused(active(), "offset 0", "bad magic");
    }

    @Test
    void anUnknownFormatVersionIsRefusedAsSuch() throws IOException {
        byte[] bytes = Files.readAllBytes(sealed());
        ByteBuffer.wrap(bytes).putShort(4, (short) 2);
        Files.write(sealed(), bytes);
        assertRefused(sealed(), "offset 0", "unsupported segment format version 2");
    }

    @Test
    void aMissingMiddleSegmentIsRefusedAsAGap() throws IOException {
        Files.delete(segments.get(2));
        assertRefused(segments.get(3), "offset 0", "gap");
    }

    @Test
    void aDamagedOrTruncatedHardStateIsRefused() throws IOException {
        Path hs = dir.resolve(SegmentFiles.HARD_STATE);
        byte[] original = Files.readAllBytes(hs);
        flipBit(hs, 9, 2);
        assertRefused(hs, "offset", "checksum mismatch");
        Files.write(hs, Arrays.copyOf(original, original.length - 3));
        assertRefused(hs, "offset", "hard state file");
        Files.write(hs, new byte[0]);
        assertRefused(hs, "offset 0", "shorter");
    }

    @Test
    void aDamagedTruncationIntentIsRefused() throws IOException {
        Path intent = dir.resolve(SegmentFiles.TRUNCATION_INTENT);
        Files.write(intent, "not an intent file".getBytes(StandardCharsets.US_ASCII));
        assertRefused(intent, "offset", "truncation intent");
    }

    @Test
    void anIntentOfAnUnknownKindIsRefusedRatherThanGuessed() throws IOException {
        Path intent = dir.resolve(SegmentFiles.TRUNCATION_INTENT);
        ByteBuffer b = ByteBuffer.allocate(20).putInt(0x4B4C5449).putShort((short) 1).putShort((short) 7)
                .putLong(5);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b.array(), 0, 16);
        b.putInt((int) crc.getValue());
        Files.write(intent, b.array());
        assertRefused(intent, "offset 6", "unknown kind 7");
    }

    @Test
    void aLastSegmentWhoseCreationWasTornIsDeleted() throws Exception {
        Path torn = SegmentFiles.segmentPath(dir, ENTRIES + 1);
        Files.write(torn, new byte[SegmentHeader.BYTES]);
        try (FileLogStorage s = FileLogStorage.open(config())) {
            assertThat(s.lastIndex()).isEqualTo(ENTRIES);
            await(s.append(TestLogs.entries(ENTRIES + 1, ENTRIES + 1, 5)));
        }
        try (FileLogStorage s = FileLogStorage.open(config())) {
            assertThat(s.entries(ENTRIES, ENTRIES + 2, Long.MAX_VALUE))
                    .containsExactly(written.get(ENTRIES - 1), TestLogs.entry(ENTRIES + 1, 5));
        }
    }

    @Test
    void randomBitFlipsAnywhereAreDetectedAndNeverServed() throws IOException {
        long seed = TestLogs.seed("randomBitFlipsAnywhereAreDetectedAndNeverServed");
        SplittableRandom random = new SplittableRandom(seed);
        List<Path> files = new ArrayList<>(segments);
        files.add(dir.resolve(SegmentFiles.HARD_STATE));
        int refused = 0;
        int cut = 0;
        for (int round = 0; round < 60; round++) {
            Path file = files.get(random.nextInt(files.size()));
            byte[] original = Files.readAllBytes(file);
            int flips = 1 + random.nextInt(3);
            long position = random.nextLong(original.length);
            for (int f = 0; f < flips; f++) {
                flipBit(file, Math.min(original.length - 1, position + random.nextInt(64)), random.nextInt(8));
            }
            String what = "round " + round + " (seed " + seed + "): " + flips + " flips near offset " + position
                    + " of " + file.getFileName();
            if (Arrays.equals(original, Files.readAllBytes(file))) {
                continue; // two flips of the same bit cancelled out
            }
            try (FileLogStorage s = FileLogStorage.open(config())) {
                // Opening is allowed only when the damage was a torn-looking tail: everything served must be exact.
                assertThat(file).as(what).isEqualTo(active());
                assertThat(s.lastIndex()).as(what).isLessThan(ENTRIES);
                assertThat(s.entries(1, s.lastIndex() + 1, Long.MAX_VALUE)).as(what)
                        .isEqualTo(written.subList(0, (int) s.lastIndex()));
                assertThat(s.hardState()).as(what).isEqualTo(HARD_STATE);
                cut++;
            } catch (StorageException e) {
                assertThat(e.getMessage()).as(what).contains(file.toString());
                refused++;
            }
            // Restore the original for the next round (recovery may have cut the file).
            Files.write(file, original);
        }
        assertThat(refused).as("seed " + seed).isPositive();
        System.out.println("refused " + refused + ", cut as torn tail " + cut);
    }

    private void assertRefused(Path file, String... fragments) {
        StorageException e = catchThrowableOfType(() -> FileLogStorage.open(config()).close(),
                StorageException.class);
        assertThat(e).as("opening with a damaged " + file.getFileName()).isNotNull();
        assertThat(e.getMessage()).contains(file.toString());
        for (String f : fragments) {
            assertThat(e.getMessage()).contains(f);
        }
    }

    /** Record offsets of a segment, walking the length fields of an intact file. */
    static List<Long> recordOffsets(Path segment) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment));
        List<Long> out = new ArrayList<>();
        int pos = SegmentHeader.BYTES;
        while (pos < b.limit()) {
            out.add((long) pos);
            pos += 25 + b.getInt(pos);
        }
        return out;
    }

    static void flipBit(Path file, long offset, int bit) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= (byte) (1 << bit);
        Files.write(file, bytes);
    }

    static void cut(Path file, long size) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, (int) size));
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Runs {@code body} with System.err captured (slf4j-simple writes there) and returns what was logged. */
    static String captureStderr(ThrowingRunnable body) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }
}
