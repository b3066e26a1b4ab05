package dev.keel.raft.storage.internal;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SegmentFilesTest {
    private final Path dir = Path.of("log");

    @Test
    void namesAreTwentyZeroPaddedDigitsSoThatTheySortLikeIndexes() {
        assertThat(SegmentFiles.segmentPath(dir, 1).getFileName().toString())
                .isEqualTo("segment-00000000000000000001.log");
        assertThat(SegmentFiles.segmentPath(dir, 1234567890123L).getFileName().toString())
                .isEqualTo("segment-00000001234567890123.log");
        assertThat(SegmentFiles.segmentPath(dir, Long.MAX_VALUE).getFileName().toString())
                .isEqualTo("segment-09223372036854775807.log");
        assertThat(SegmentFiles.segmentPath(dir, 9).getFileName().toString())
                .isLessThan(SegmentFiles.segmentPath(dir, 10).getFileName().toString());
    }

    @Test
    void parsingANameGivesBackItsBaseIndex() {
        for (long base : new long[]{0, 1, 7, 4096, 1L << 40, Long.MAX_VALUE}) {
            assertThat(SegmentFiles.parseBaseIndex(SegmentFiles.segmentPath(dir, base))).isEqualTo(base);
        }
        assertThat(SegmentFiles.parseBaseIndex(dir.resolve("segment-1.log"))).isEqualTo(-1);
        assertThat(SegmentFiles.parseBaseIndex(dir.resolve("hardstate"))).isEqualTo(-1);
    }

    @Test
    void aNegativeBaseIndexIsAnInternalError() {
        assertThatThrownBy(() -> SegmentFiles.segmentPath(dir, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative segment base index -1");
    }
}
