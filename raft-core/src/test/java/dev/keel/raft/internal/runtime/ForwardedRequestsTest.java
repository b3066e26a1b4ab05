package dev.keel.raft.internal.runtime;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.message.ClientRequest;
import dev.keel.raft.message.ForwardRequest;
import dev.keel.raft.message.ForwardResponse;
import dev.keel.raft.message.RaftMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

class ForwardedRequestsTest {
    private static final NodeId LEADER = NodeId.of("n1");
    private static final NodeId FOLLOWER = NodeId.of("n2");
    private static final Membership MEMBERS = Membership.ofVoters(List.of(Member.of(LEADER), Member.of(FOLLOWER)));

    private final List<RaftMessage> sent = new ArrayList<>();
    private final List<Consumer<Reply>> running = new ArrayList<>();
    private final ForwardedRequests requests = new ForwardedRequests(LEADER, RaftConfig.builder().build(), sent::add,
            Runnable::run, (request, done) -> running.add(done));

    private static ForwardRequest write(long term, long id) {
        return new ForwardRequest(FOLLOWER, LEADER, term, id, new ClientRequest.Command(new byte[] {1}));
    }

    @Test
    void aDuplicateArrivingAfterTheLeaderSteppedDownGetsNoRefusalOnlyTheOriginalsAnswer() {
        requests.onRequest(write(4, 7), true, 4, LEADER, MEMBERS);
        assertThat(running).hasSize(1);

        // The leader steps down (same term, then a newer one) while the command is pending; duplicates arrive.
        requests.onRequest(write(4, 7), false, 4, null, MEMBERS);
        requests.onRequest(write(4, 7), false, 5, FOLLOWER, MEMBERS);
        assertThat(sent).as("no answer to the duplicates: a refusal would say nothing was done").isEmpty();
        assertThat(running).as("the duplicates run nothing").hasSize(1);

        running.get(0).accept(Reply.failed(ForwardResponse.Outcome.INDETERMINATE, "lost leadership"));
        assertThat(sent).singleElement().isInstanceOfSatisfying(ForwardResponse.class,
                r -> assertThat(r.outcome()).isEqualTo(ForwardResponse.Outcome.INDETERMINATE));
    }

    @Test
    void aRequestNeverTakenIsRefusedWhenThisServerDoesNotLead() {
        requests.onRequest(write(4, 7), true, 4, LEADER, MEMBERS);
        requests.onRequest(write(4, 8), false, 5, FOLLOWER, MEMBERS);
        assertThat(sent).singleElement().isInstanceOfSatisfying(ForwardResponse.class, r -> {
            assertThat(r.requestId()).isEqualTo(8);
            assertThat(r.outcome()).isEqualTo(ForwardResponse.Outcome.NOT_LEADER);
        });
        assertThat(running).hasSize(1);
    }
}
