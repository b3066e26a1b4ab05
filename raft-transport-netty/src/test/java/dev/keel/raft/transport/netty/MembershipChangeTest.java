package dev.keel.raft.transport.netty;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
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
                .removedMemberGrace(Duration.ZERO)
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

    @Test
    void aMemberThatLeftStaysAPeerForTheGracePeriodUnlessItComesBack() {
        try (NettyTransport t = new NettyTransport(NettyTransportConfig.builder()
                .selfId(A).clusterId("m")
                .bindAddress(new InetSocketAddress("127.0.0.1", 0))
                .members(Map.of(B, new InetSocketAddress("127.0.0.1", 17012),
                        C, new InetSocketAddress("127.0.0.1", 17013)))
                .removedMemberGrace(Duration.ofMillis(300))
                .ioThreads(1) // drops run in the order they were scheduled
                .build())) {
            t.start(new Inbox());
            // B leaves: a leader that removed itself must still reach the rest until its change commits.
            t.membershipChanged(Membership.ofVoters(List.of(Member.of(A), Member.of("c", "127.0.0.1:17013"))));
            assertThat(t.peers()).containsOnlyKeys(B, C);
            Await.until("b dropped after its grace", Duration.ofSeconds(10), () -> !t.peers().containsKey(B));
            assertThat(t.peers()).containsOnlyKeys(C);

            // C leaves and comes back within its grace: its pending drop must not remove it. B leaving afterwards
            // schedules a later drop, so once B is gone, C's drop has run too.
            t.membershipChanged(Membership.ofVoters(List.of(Member.of(A))));
            assertThat(t.peers()).containsOnlyKeys(C);
            t.membershipChanged(Membership.ofVoters(List.of(Member.of(A), Member.of("c", "127.0.0.1:17013"),
                    Member.of("b", "127.0.0.1:17012"))));
            assertThat(t.peers()).containsOnlyKeys(B, C);
            t.membershipChanged(Membership.ofVoters(List.of(Member.of(A), Member.of("c", "127.0.0.1:17013"))));
            Await.until("b dropped again", Duration.ofSeconds(10), () -> !t.peers().containsKey(B));
            assertThat(t.peers()).containsOnlyKeys(C);
        }
    }
}
