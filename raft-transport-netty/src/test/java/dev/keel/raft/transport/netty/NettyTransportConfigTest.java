package dev.keel.raft.transport.netty;

import dev.keel.raft.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NettyTransportConfigTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final InetSocketAddress A1 = new InetSocketAddress("127.0.0.1", 7001);
    private static final InetSocketAddress A2 = new InetSocketAddress("127.0.0.1", 7002);

    @Test
    void theSameMemberMapServesEveryNodeAndGivesEachItsBindAddress() {
        NettyTransportConfig c = NettyTransportConfig.builder().selfId(N1).clusterId("prod")
                .members(Map.of(N1, A1, N2, A2)).build();
        assertThat(c.bindAddress()).isEqualTo(A1);
        assertThat(c.peers()).containsExactly(Map.entry(N2, A2));
        assertThat(c.tls()).isEmpty();
        assertThat(c.maxFrameSize()).isEqualTo(NettyTransportConfig.DEFAULT_MAX_FRAME_SIZE);
        assertThat(c.groupId()).isEqualTo("default");
    }

    @Test
    void anExplicitBindAddressWinsOverTheMemberEntry() {
        InetSocketAddress any = new InetSocketAddress(7001);
        NettyTransportConfig c = NettyTransportConfig.builder().selfId(N1).clusterId("prod")
                .members(Map.of(N1, A1, N2, A2)).bindAddress(any).build();
        assertThat(c.bindAddress()).isEqualTo(any);
    }

    @Test
    void missingRequiredValuesSayWhatToSet() {
        assertThatThrownBy(() -> NettyTransportConfig.builder().clusterId("c").build())
                .hasMessageContaining("selfId is required");
        assertThatThrownBy(() -> NettyTransportConfig.builder().selfId(N1).build())
                .hasMessageContaining("clusterId is required");
        assertThatThrownBy(() -> NettyTransportConfig.builder().selfId(N1).clusterId("c").members(Map.of(N2, A2))
                .build()).hasMessageContaining("set bindAddress, or include n1 in members");
    }

    @Test
    void outOfRangeValuesAreRejectedAtOnceWithTheRange() {
        var b = NettyTransportConfig.builder();
        assertThatThrownBy(() -> b.maxFrameSize(100)).hasMessageContaining("maxFrameSize must be between");
        assertThatThrownBy(() -> b.maxQueuedMessagesPerPeer(0))
                .hasMessageContaining("maxQueuedMessagesPerPeer must be between 1");
        assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> b.reconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("must not exceed max");
        assertThatThrownBy(() -> b.ioThreads(0)).hasMessageContaining("ioThreads");
        assertThatThrownBy(() -> b.clusterId("has space")).hasMessageContaining("clusterId must be 1-64");
        assertThatThrownBy(() -> b.groupId("")).hasMessageContaining("groupId");
    }

    @Test
    void toBuilderReproducesTheConfiguration() {
        NettyTransportConfig c = NettyTransportConfig.builder().selfId(N1).clusterId("prod")
                .members(Map.of(N1, A1, N2, A2)).maxFrameSize(1 << 20).maxQueuedMessagesPerPeer(10).build();
        assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString());
    }

    @Test
    void tlsFilesMustExist(@TempDir Path dir) throws Exception {
        Path present = Files.writeString(dir.resolve("x.pem"), "x");
        assertThatThrownBy(() -> TlsConfig.mutual(dir.resolve("missing.pem"), present, present))
                .hasMessageContaining("certificateChain").hasMessageContaining("missing.pem");
        TlsConfig tls = TlsConfig.mutual(present, present, present).withPrivateKeyPassword("secret");
        assertThat(tls.toString()).doesNotContain("secret");
        assertThat(tls.verifyHostname()).isTrue();
    }

    @Test
    void unloadableTlsMaterialFailsWhenTheTransportIsBuilt(@TempDir Path dir) throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate");
        NettyTransportConfig c = NettyTransportConfig.builder().selfId(N1).clusterId("prod")
                .members(Map.of(N1, A1)).tls(TlsConfig.mutual(junk, junk, junk)).build();
        assertThatThrownBy(() -> new NettyTransport(c)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot load the TLS material");
    }
}
