package dev.keel.raft.examples.kv.config;

import dev.keel.raft.NodeId;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeConfigTest {
    static final String GOOD = """
            id = "n1"
            client_port = 6401
            raft_port = 7401
            data_dir = "data/n1"

            [[peers]]
            id = "n2"
            raft = "127.0.0.1:7402"
            client = "127.0.0.1:6402"

            [[peers]]
            id = "n3"
            raft = "n3.internal:7403"
            client = "n3.internal:6403"

            [snapshot]
            interval = 5000

            [raft]
            heartbeat_ms = 50
            election_timeout_min_ms = 500
            """;

    @Test
    void aCompleteFileGivesAConfigWithDefaultsForWhatIsLeftOut() {
        NodeConfig c = NodeConfig.from(ConfigLoader.parse(GOOD, "node.toml"), "node.toml");
        assertThat(c.id()).isEqualTo(NodeId.of("n1"));
        assertThat(c.memberIds()).containsExactly(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
        assertThat(c.peers().get(1).raft()).isEqualTo(new HostPort("n3.internal", 7403));
        assertThat(c.dataDir()).isEqualTo(Path.of("data/n1"));
        assertThat(c.bind()).isEqualTo("127.0.0.1");
        assertThat(c.clusterId()).isEqualTo("keel-kv");
        assertThat(c.maxValueBytes()).isEqualTo(1 << 20);
        assertThat(c.fsync()).isTrue();
        assertThat(c.snapshotInterval()).isEqualTo(5000);
        assertThat(c.raft().snapshotInterval()).isEqualTo(5000);
        assertThat(c.raft().heartbeatInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.raft().electionTimeoutMax()).isEqualTo(Duration.ofMillis(1000));
        assertThat(c.logSegmentBytes()).isEqualTo(64 << 20);
    }

    @Test
    void theLogSegmentSizeIsSetUnderLogAndCheckedAgainstTheStoragesLimits() {
        ConfigFile small = ConfigLoader.parse(GOOD + "[log]\nsegment_bytes = 65536\n", "x");
        assertThat(NodeConfig.from(small, "x").logSegmentBytes()).isEqualTo(65536);
        ConfigFile tiny = ConfigLoader.parse(GOOD + "[log]\nsegment_bytes = 100\n", "x");
        assertThatThrownBy(() -> NodeConfig.from(tiny, "x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'log.segment_bytes' must be between 4096 (4 KiB) and 1073741824 (1 GiB), was 100");
        ConfigFile huge = ConfigLoader.parse(GOOD + "[log]\nsegment_bytes = 4294967296\n", "x");
        assertThatThrownBy(() -> NodeConfig.from(huge, "x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("was 4294967296");
    }

    @Test
    void theAdminPortIsOffUnlessSetAndMustDifferFromTheOtherPorts() {
        assertThat(NodeConfig.from(ConfigLoader.parse(GOOD, "x"), "x").adminPort()).isZero();
        assertThat(NodeConfig.from(ConfigLoader.parse("admin_port = 9401\n" + GOOD, "x"), "x").adminPort())
                .isEqualTo(9401);
        ConfigFile same = ConfigLoader.parse("admin_port = 6401\n" + GOOD, "x");
        assertThatThrownBy(() -> NodeConfig.from(same, "x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'admin_port' 6401 is also the client_port");
        ConfigFile zero = ConfigLoader.parse("admin_port = 0\n" + GOOD, "x");
        assertThatThrownBy(() -> NodeConfig.from(zero, "x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'admin_port' must be between 1 and 65535, was 0");
    }

    @Test
    void anUnknownKeyIsNamedWithItsLineAndTheKeysAllowed() {
        assertThatThrownBy(() -> ConfigLoader.parse(GOOD.replace("client_port", "clientport"), "node.toml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("node.toml: unknown key 'clientport'")
                .hasMessageContaining("client_port");
    }

    @Test
    void anUnknownKeyInsideAPeerIsNamedWithItsPath() {
        assertThatThrownBy(() -> ConfigLoader.parse(GOOD.replace("client = \"127.0.0.1:6402\"",
                "client = \"127.0.0.1:6402\"\nport = 1"), "node.toml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'peers[0].port'");
    }

    @Test
    void aValueOfTheWrongTypeOrBrokenTomlIsReported() {
        assertThatThrownBy(() -> ConfigLoader.parse(GOOD.replace("6401", "\"six\""), "node.toml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'client_port' has the wrong type");
        assertThatThrownBy(() -> ConfigLoader.parse("id = \n", "node.toml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not valid TOML");
        assertThatThrownBy(() -> ConfigLoader.parse("id = \"a\"\nid = \"b\"\n", "node.toml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("node.toml");
    }

    @Test
    void duplicateIdsAreRefused() {
        ConfigFile f = ConfigLoader.parse(GOOD.replace("id = \"n3\"", "id = \"n2\""), "node.toml");
        assertThatThrownBy(() -> NodeConfig.from(f, "node.toml")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("peers[1].id 'n2' is used twice");
        ConfigFile self = ConfigLoader.parse(GOOD.replace("id = \"n3\"", "id = \"n1\""), "node.toml");
        assertThatThrownBy(() -> NodeConfig.from(self, "node.toml")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("this node's own id");
    }

    @Test
    void missingPeersAndMissingPeerAddressesAreRefused() {
        ConfigFile none = ConfigLoader.parse("id = \"n1\"\nclient_port = 1\nraft_port = 2\ndata_dir = \"d\"\n", "x");
        assertThatThrownBy(() -> NodeConfig.from(none, "x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'peers' is missing");
        ConfigFile noAddress = ConfigLoader.parse(GOOD.replace("raft = \"127.0.0.1:7402\"", ""), "x");
        assertThatThrownBy(() -> NodeConfig.from(noAddress, "x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'peers[0].raft' is missing");
        ConfigFile single = ConfigLoader.parse("id = \"n1\"\nclient_port = 1\nraft_port = 2\ndata_dir = \"d\"\n"
                + "peers = []\n", "x");
        assertThat(NodeConfig.from(single, "x").memberIds()).containsExactly(NodeId.of("n1"));
    }

    @Test
    void portClashesAreRefused() {
        ConfigFile same = ConfigLoader.parse(GOOD.replace("raft_port = 7401", "raft_port = 6401"), "x");
        assertThatThrownBy(() -> NodeConfig.from(same, "x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'client_port' and 'raft_port' are both 6401");
        ConfigFile peer = ConfigLoader.parse(GOOD.replace("127.0.0.1:6402", "127.0.0.1:7402"), "x");
        assertThatThrownBy(() -> NodeConfig.from(peer, "x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("peer n2's client address 127.0.0.1:7402 is also peer n2's raft address");
        ConfigFile mine = ConfigLoader.parse(GOOD.replace("127.0.0.1:6402", "127.0.0.1:6401"), "x");
        assertThatThrownBy(() -> NodeConfig.from(mine, "x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("is also this node's client_port");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigFile f = ConfigLoader.parse("client_port = 70000\nmax_value_bytes = 0\nfsync = \"sometimes\"\n", "x");
        assertThatThrownBy(() -> NodeConfig.from(f, "x")).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSizeGreaterThanOrEqualTo(6))
                .hasMessageContaining("'id' is missing")
                .hasMessageContaining("'client_port' must be between 1 and 65535, was 70000")
                .hasMessageContaining("'raft_port' is missing")
                .hasMessageContaining("'data_dir' is missing")
                .hasMessageContaining("'max_value_bytes' must be between")
                .hasMessageContaining("'fsync' must be");
    }

    @Test
    void badRaftTimingIsExplained() {
        ConfigFile f = ConfigLoader.parse(GOOD.replace("election_timeout_min_ms = 500", "election_timeout_min_ms = 100"),
                "x");
        assertThatThrownBy(() -> NodeConfig.from(f, "x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("[raft]: electionTimeoutMin (100 ms) must be at least 3 heartbeat intervals");
    }

    @Test
    void aJoiningNodeNeedsNoPeersAndAdvertisesItsBindAddressByDefault() {
        ConfigFile f = ConfigLoader.parse("id = \"n4\"\nclient_port = 1\nraft_port = 2\ndata_dir = \"d\"\n"
                + "join = [\"10.0.0.1:6379\", \"n2:6379\"]\n", "x");
        NodeConfig c = NodeConfig.from(f, "x");
        assertThat(c.joining()).isTrue();
        assertThat(c.join()).containsExactly(new HostPort("10.0.0.1", 6379), new HostPort("n2", 6379));
        assertThat(c.peers()).isEmpty();
        assertThat(c.advertisedRaft()).isEqualTo(new HostPort("127.0.0.1", 2));
        assertThat(NodeConfig.from(ConfigLoader.parse(GOOD, "x"), "x").joining()).isFalse();
    }

    @Test
    void badSeedsAndAdvertiseAddressesAreRefused() {
        String base = "id = \"n4\"\nclient_port = 1\nraft_port = 2\ndata_dir = \"d\"\n";
        assertThatThrownBy(() -> NodeConfig.from(ConfigLoader.parse(base + "join = [\"n1\"]\n", "x"), "x"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'join': expected host:port, got 'n1'");
        assertThatThrownBy(() -> NodeConfig.from(ConfigLoader.parse(base + "join = []\n", "x"), "x"))
                .hasMessageContaining("'join' is empty");
        assertThatThrownBy(() -> NodeConfig.from(ConfigLoader.parse(base + "peers = []\nadvertise = \"0.0.0.0\"\n",
                "x"), "x")).hasMessageContaining("'advertise' is 0.0.0.0, which no one can connect to");
        NodeConfig c = NodeConfig.from(ConfigLoader.parse(base + "peers = []\nbind = \"0.0.0.0\"\n"
                + "advertise = \"n4.internal\"\n", "x"), "x");
        assertThat(c.advertisedClient()).isEqualTo(new HostPort("n4.internal", 1));
    }
}
