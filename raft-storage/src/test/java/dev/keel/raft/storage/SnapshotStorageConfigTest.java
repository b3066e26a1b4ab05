package dev.keel.raft.storage;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotStorageConfigTest {
    private static final Path DIR = Path.of("/tmp/keel-snapshot-config-test");

    @Test
    void defaultsKeepTwoSnapshotsAndForceThem() {
        SnapshotStorageConfig c = SnapshotStorageConfig.builder(DIR).build();
        assertThat(c).isEqualTo(new SnapshotStorageConfig(DIR, 2, FsyncPolicy.ALWAYS));
    }

    @Test
    void builderSetsEveryValue() {
        SnapshotStorageConfig c = SnapshotStorageConfig.builder(DIR).retainedSnapshots(5)
                .fsyncPolicy(FsyncPolicy.NEVER).directory(Path.of("/tmp/other")).build();
        assertThat(c).isEqualTo(new SnapshotStorageConfig(Path.of("/tmp/other"), 5, FsyncPolicy.NEVER));
    }

    @Test
    void retainedSnapshotsOutOfRangeIsRejectedWithTheValidRange() {
        assertThatThrownBy(() -> SnapshotStorageConfig.builder(DIR).retainedSnapshots(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retainedSnapshots must be between 1 and 1000").hasMessageContaining("was 0");
        assertThatThrownBy(() -> SnapshotStorageConfig.builder(DIR).retainedSnapshots(1001))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 1001");
        assertThatThrownBy(() -> new SnapshotStorageConfig(DIR, -1, FsyncPolicy.ALWAYS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retainedSnapshots");
        assertThat(SnapshotStorageConfig.builder(DIR).retainedSnapshots(1).build().retainedSnapshots()).isOne();
    }

    @Test
    void nullsAreRejectedWithWhatToPass() {
        assertThatThrownBy(() -> SnapshotStorageConfig.builder(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("directory");
        assertThatThrownBy(() -> SnapshotStorageConfig.builder(DIR).fsyncPolicy(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("FsyncPolicy.ALWAYS");
    }
}
