package dev.keel.raft.storage;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StorageConfigTest {
    private static final Path DIR = Path.of("/tmp/keel-config-test");

    @Test
    void defaultsAreSafe() {
        StorageConfig c = StorageConfig.builder(DIR).build();
        assertThat(c.directory()).isEqualTo(DIR);
        assertThat(c.fsyncPolicy()).isEqualTo(FsyncPolicy.ALWAYS);
        assertThat(c.segmentSizeBytes()).isEqualTo(64 * 1024 * 1024);
        assertThat(c.cacheSizeBytes()).isEqualTo(16L * 1024 * 1024);
    }

    @Test
    void builderSetsEveryValue() {
        StorageConfig c = StorageConfig.builder(DIR).segmentSizeBytes(8192).fsyncPolicy(FsyncPolicy.NEVER)
                .cacheSizeBytes(0).directory(Path.of("/tmp/other")).build();
        assertThat(c).isEqualTo(new StorageConfig(Path.of("/tmp/other"), 8192, FsyncPolicy.NEVER, 0));
    }

    @Test
    void segmentSizeOutOfRangeIsRejectedWithTheValidRange() {
        assertThatThrownBy(() -> StorageConfig.builder(DIR).segmentSizeBytes(4095))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("segmentSizeBytes must be between 4096").hasMessageContaining("was 4095");
        assertThatThrownBy(() -> StorageConfig.builder(DIR).segmentSizeBytes(1024L * 1024 * 1024 + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 GiB");
        assertThat(StorageConfig.builder(DIR).segmentSizeBytes(4096).build().segmentSizeBytes()).isEqualTo(4096);
    }

    @Test
    void negativeCacheSizeIsRejected() {
        assertThatThrownBy(() -> StorageConfig.builder(DIR).cacheSizeBytes(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cacheSizeBytes must be >= 0");
    }

    @Test
    void nullsAreRejectedWithWhatToPass() {
        assertThatThrownBy(() -> StorageConfig.builder(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("directory");
        assertThatThrownBy(() -> StorageConfig.builder(DIR).fsyncPolicy(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("FsyncPolicy.ALWAYS");
    }

    @Test
    void theCanonicalConstructorValidatesToo() {
        assertThatThrownBy(() -> new StorageConfig(DIR, 10, FsyncPolicy.ALWAYS, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segmentSizeBytes");
    }
}
