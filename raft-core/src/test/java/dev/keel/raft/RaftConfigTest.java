package dev.keel.raft;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RaftConfigTest {

    @Test
    void defaultsAreSafeAndConsistent() {
        RaftConfig c = RaftConfig.defaults();
        assertThat(c.preVote()).isTrue();
        assertThat(c.checkQuorum()).isTrue();
        assertThat(c.heartbeatTicks()).isEqualTo(10);
        assertThat(c.electionTimeoutMinTicks()).isEqualTo(100);
        assertThat(c.electionTimeoutMaxTicks()).isEqualTo(200);
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void invalidValuesFailAtOnceSayingWhatToFix() {
        assertThatThrownBy(() -> RaftConfig.builder().heartbeatInterval(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeatInterval");
        assertThatThrownBy(() -> RaftConfig.builder().heartbeatInterval(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("heartbeatInterval");
        assertThatThrownBy(() -> RaftConfig.builder().maxInflightMessages(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInflightMessages");
        assertThatThrownBy(() -> RaftConfig.builder().maxEntriesBytesPerMessage(10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxEntriesBytesPerMessage");
        assertThatThrownBy(() -> RaftConfig.builder().maxPendingProposals(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPendingProposals");
        assertThatThrownBy(() -> RaftConfig.builder().maxPendingReads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPendingReads");
        assertThatThrownBy(() -> RaftConfig.builder().maxUncommittedEntries(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxUncommittedEntries");
        assertThatThrownBy(() -> RaftConfig.builder().inboxCapacity(15))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inboxCapacity");
        assertThatThrownBy(() -> RaftConfig.builder().tickInterval(Duration.ofHours(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tickInterval");
    }

    @Test
    void theElectionTimeoutMustExceedSeveralHeartbeats() {
        assertThatThrownBy(() -> RaftConfig.builder().heartbeatInterval(Duration.ofMillis(500))
                .electionTimeout(Duration.ofMillis(1000), Duration.ofMillis(2000)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("electionTimeoutMin").hasMessageContaining("3 heartbeat intervals");
    }

    @Test
    void theElectionTimeoutRangeMustNotBeEmpty() {
        assertThatThrownBy(() -> RaftConfig.builder()
                .electionTimeout(Duration.ofMillis(1000), Duration.ofMillis(1000)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("electionTimeoutMax");
    }

    @Test
    void theHeartbeatMustNotBeShorterThanATick() {
        assertThatThrownBy(() -> RaftConfig.builder().tickInterval(Duration.ofMillis(50))
                .heartbeatInterval(Duration.ofMillis(20)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tickInterval");
    }

    @Test
    void durationsRoundUpToWholeTicks() {
        RaftConfig c = RaftConfig.builder().tickInterval(Duration.ofMillis(30))
                .heartbeatInterval(Duration.ofMillis(100))
                .electionTimeout(Duration.ofMillis(400), Duration.ofMillis(460)).build();
        assertThat(c.heartbeatTicks()).isEqualTo(4);
        assertThat(c.electionTimeoutMinTicks()).isEqualTo(14);
        assertThat(c.electionTimeoutMaxTicks()).isEqualTo(16);
    }
}
