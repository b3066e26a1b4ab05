package dev.keel.raft.internal.runtime;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.exception.ServerStoppedException;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.message.ForwardResponse.Outcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class RequestRegistryTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");

    private final RequestRegistry registry = new RequestRegistry(N1, 2, 3);
    private final List<Reply> replies = new ArrayList<>();

    private PendingProposal proposal(long index) {
        return new PendingProposal(index, 1, replies::add, 0);
    }

    @Test
    void submitsBeyondMaxPendingProposalsAreRefusedNamingTheSetting() {
        assertThat(registry.admitSubmit()).isNull();
        assertThat(registry.admitSubmit()).isNull();
        assertThat(registry.admitSubmit()).hasMessageContaining("maxPendingProposals").hasMessageContaining("2");
        assertThat(registry.pendingSubmits()).isEqualTo(2);
        registry.submitDone();
        assertThat(registry.admitSubmit()).isNull();
    }

    @Test
    void readsBeyondMaxPendingReadsAreRefusedNamingTheSettingUntilOneCompletes() {
        List<CompletableFuture<byte[]>> reads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            assertThat(registry.admitRead(f)).isNull();
            reads.add(f);
        }
        assertThat(registry.admitRead(new CompletableFuture<>())).hasMessageContaining("maxPendingReads")
                .hasMessageContaining("3");
        // Submits are counted apart from reads.
        assertThat(registry.admitSubmit()).isNull();
        reads.get(0).complete(new byte[0]);
        assertThat(registry.pendingReads()).isEqualTo(2);
        assertThat(registry.admitRead(new CompletableFuture<>())).isNull();
    }

    @Test
    void committedTakesTheProposalsUpToTheIndexInOrder() {
        registry.proposed(proposal(5));
        registry.proposed(proposal(6));
        registry.proposed(proposal(8));
        assertThat(registry.committed(4)).isEmpty();
        assertThat(registry.committed(6)).extracting(PendingProposal::index).containsExactly(5L, 6L);
        assertThat(registry.committed(10)).extracting(PendingProposal::index).containsExactly(8L);
        assertThat(registry.committed(10)).isEmpty();
    }

    @Test
    void losingLeadershipFailsTheUncommittedProposalsAsIndeterminate() {
        registry.proposed(proposal(5));
        registry.proposed(proposal(6));
        registry.leadershipLost(3);
        assertThat(replies).hasSize(2).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.INDETERMINATE);
            assertThat(r.detail()).contains("lost leadership of term 3");
        });
        assertThat(registry.committed(100)).isEmpty();
    }

    @Test
    void stoppingFailsEveryKindOfRequest() {
        registry.proposed(proposal(5));
        CompletableFuture<byte[]> read = new CompletableFuture<>();
        registry.reading(7, new PendingQuery(new byte[0], read));
        registry.administering(8, replies::add);
        ServerStoppedException stopped = new ServerStoppedException("n1 is closed");
        registry.failAll("n1 is closed", stopped);
        assertThat(replies).extracting(Reply::outcome).containsExactly(Outcome.INDETERMINATE, Outcome.STOPPED);
        assertThat(read).isCompletedExceptionally();
        assertThat(registry.takeRead(7)).isNull();
    }

    @Test
    void anAdministrativeResultAnswersItsRequestOnce() {
        Membership m = Membership.ofVoters(List.of(Member.of(N1), Member.of(N2)));
        registry.administering(8, replies::add);
        registry.administering(9, replies::add);
        registry.adminResult(new AdminResult(8, AdminResult.Outcome.SUCCESS, "", m, 4), N1);
        registry.adminResult(new AdminResult(9, AdminResult.Outcome.NOT_LEADER, "moved", null, 0), N2);
        registry.adminResult(new AdminResult(8, AdminResult.Outcome.SUCCESS, "", m, 4), N1);
        assertThat(replies).hasSize(2);
        assertThat(replies.get(0).isOk()).isTrue();
        assertThat(Membership.decode(replies.get(0).result())).isEqualTo(m);
        assertThat(replies.get(1).outcome()).isEqualTo(Outcome.NOT_LEADER);
        assertThat(replies.get(1).leader()).isEqualTo(N2);
    }

    @Test
    void idsAreUnique() {
        assertThat(registry.nextId()).isNotEqualTo(registry.nextId());
    }
}
