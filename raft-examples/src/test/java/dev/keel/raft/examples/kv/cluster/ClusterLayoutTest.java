package dev.keel.raft.examples.kv.cluster;

import dev.keel.raft.NodeId;
import dev.keel.raft.examples.kv.config.ConfigLoader;
import dev.keel.raft.examples.kv.config.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterLayoutTest {
    @TempDir
    Path dir;

    @Test
    void aFirstRunWritesAValidConfigurationPerNodeWithConsecutivePorts() {
        ClusterLayout layout = ClusterLayout.prepare(dir.resolve("data"), 5, "127.0.0.1", 6401, 7401);
        assertThat(layout.reused()).isFalse();
        assertThat(layout.nodes()).hasSize(5);
        for (int i = 0; i < 5; i++) {
            ClusterLayout.Node n = layout.nodes().get(i);
            NodeConfig c = NodeConfig.from(ConfigLoader.read(n.config()), n.config().toString());
            assertThat(c.id()).isEqualTo(NodeId.of("n" + (i + 1)));
            assertThat(c.clientPort()).isEqualTo(6401 + i);
            assertThat(c.raftPort()).isEqualTo(7401 + i);
            assertThat(c.peers()).hasSize(4);
            assertThat(c.dataDir()).isEqualTo(n.dir().resolve("data"));
        }
    }

    @Test
    void aSecondRunReusesTheConfigurationsAsTheyAre() throws IOException {
        ClusterLayout first = ClusterLayout.prepare(dir, 3, "127.0.0.1", 6401, 7401);
        Path config = first.nodes().get(1).config();
        String edited = Files.readString(config) + "max_value_bytes = 2048\n";
        Files.writeString(config, edited);
        ClusterLayout second = ClusterLayout.prepare(dir, 3, "127.0.0.1", 9000, 9100);
        assertThat(second.reused()).isTrue();
        assertThat(second.nodes().get(1).clientPort()).isEqualTo(6402);
        assertThat(Files.readString(config)).isEqualTo(edited);
    }

    @Test
    void aFolderHoldingAClusterOfAnotherSizeIsRefused() {
        ClusterLayout.prepare(dir, 3, "127.0.0.1", 6401, 7401);
        assertThatThrownBy(() -> ClusterLayout.prepare(dir, 5, "127.0.0.1", 6401, 7401))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds a cluster of 3 nodes; run with --nodes 3");
    }

    @Test
    void aSingleNodeClusterHasNoPeers() {
        ClusterLayout layout = ClusterLayout.prepare(dir, 1, "127.0.0.1", 6401, 7401);
        Path config = layout.nodes().get(0).config();
        assertThat(NodeConfig.from(ConfigLoader.read(config), "x").peers()).isEmpty();
    }
}
