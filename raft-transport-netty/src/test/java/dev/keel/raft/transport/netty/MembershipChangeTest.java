package dev.keel.raft.transport.netty;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The transport follows the cluster's configuration. */
class MembershipChangeTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    @Test
    void peersFollowTheConfigurationKeepingConfiguredAddressesForMembersWithoutOne() {
        InetSocketAddress bAddress = new InetSocketAddress("127.0.0.1", 17002);
        try (NettyTransport t = new NettyTransport(NettyTransportConfig.builder()
                .selfId(A).clusterId("m")
                .members(Map.of(A, new InetSocketAddress("127.0.0.1", 17001), B, bAddress))
                .build())) {
            t.membershipChanged(Membership.of(List.of(Member.of(A), Member.of(B)),
                    List.of(Member.of("c", "127.0.0.1:17003"))));
            assertThat(t.peers()).containsOnlyKeys(B, C);
            assertThat(t.peers().get(B)).isEqualTo(bAddress);
            assertThat(t.peers().get(C).getHostString()).isEqualTo("127.0.0.1");
            assertThat(t.peers().get(C).getPort()).isEqualTo(17003);

            t.membershipChanged(Membership.ofVoters(List.of(Member.of(A), Member.of("c", "127.0.0.1:17004"))));
            assertThat(t.peers()).containsOnlyKeys(C);
            assertThat(t.peers().get(C).getPort()).isEqualTo(17004);
        }
    }
}
