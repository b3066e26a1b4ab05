package dev.keel.raft.internal.engine;

import dev.keel.raft.Role;
import dev.keel.raft.message.RaftMessage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.keel.raft.internal.engine.EngineHarness.CONFIG;
import static dev.keel.raft.internal.engine.EngineHarness.N1;
import static dev.keel.raft.internal.engine.EngineHarness.data;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link RaftEngine#hasReady()} is a question: asking it, any number of times, changes neither state nor output. */
class HasReadyTest {

    private static EngineHarness settledCluster() {
        EngineHarness h = EngineHarness.cluster(3, CONFIG);
        h.campaign(N1);
        h.get(N1).tick();
        h.deliverAll();
        assertThat(h.get(N1).role()).isEqualTo(Role.LEADER);
        return h;
    }

    private static List<String> described(List<RaftMessage> messages) {
        return messages.stream().map(Describe::message).toList();
    }

    @Test
    void askingBetweenInputsProducesTheSameReadyAsNeverAsking() {
        // Both proposals travel in one append either way: asking does not flush the first one early.
        EngineHarness asked = settledCluster();
        EngineHarness notAsked = settledCluster();
        for (EngineHarness h : List.of(asked, notAsked)) {
            boolean ask = h == asked;
            h.get(N1).propose(data("a"));
            assertThat(!ask || h.get(N1).hasReady()).isTrue();
            h.get(N1).read(7);
            assertThat(!ask || h.get(N1).hasReady()).isTrue();
            h.get(N1).propose(data("b"));
            for (int i = 0; ask && i < 10; i++) {
                assertThat(h.get(N1).hasReady()).isTrue();
            }
        }
        assertThat(described(asked.drain(N1))).isEqualTo(described(notAsked.drain(N1)))
                .anyMatch(m -> m.contains("App ") && m.contains("\"a\"") && m.contains("\"b\""))
                .anyMatch(m -> m.contains("Heartbeat "));
        assertThat(asked.get(N1).log().lastIndex()).isEqualTo(notAsked.get(N1).log().lastIndex());
    }

    @Test
    void workHeldBackForBatchingCountsAsReadyAndIsGoneOnceHandedOut() {
        EngineHarness h = settledCluster();
        RaftEngine leader = h.get(N1);
        h.drain(N1);
        assertThat(leader.hasReady()).isFalse();

        leader.propose(data("a"));
        assertThat(leader.hasReady()).as("appends owed to the followers").isTrue();
        assertThat(h.drain(N1)).isNotEmpty();
        assertThat(leader.hasReady()).isFalse();

        leader.read(1);
        assertThat(leader.hasReady()).as("a read round is due").isTrue();
        assertThat(described(h.drain(N1))).anyMatch(m -> m.contains("Heartbeat "));
        assertThat(leader.hasReady()).isFalse();
    }
}
