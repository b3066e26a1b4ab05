package dev.keel.raft.examples.kv;

import dev.keel.raft.NodeId;
import dev.keel.raft.exception.ClusterChangeException;
import dev.keel.raft.exception.IndeterminateOutcomeException;
import dev.keel.raft.exception.ServerBusyException;
import dev.keel.raft.examples.kv.config.HostPort;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminCommandTest {
    static List<byte[]> args(String... a) {
        return Arrays.stream(a).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }

    @Test
    void membershipCommandsParseCaseInsensitively() throws Exception {
        assertThat(AdminCommand.parse(args("raft.members"))).isEqualTo(new AdminCommand.Members());
        assertThat(AdminCommand.parse(args("RAFT.ADD", "n4", "10.0.0.4:7000")))
                .isEqualTo(new AdminCommand.Add(NodeId.of("n4"), new HostPort("10.0.0.4", 7000), false));
        assertThat(AdminCommand.parse(args("Raft.Add", "n4", "n4:7000", "learner")))
                .isEqualTo(new AdminCommand.Add(NodeId.of("n4"), new HostPort("n4", 7000), true));
        assertThat(AdminCommand.parse(args("RAFT.REMOVE", "n2"))).isEqualTo(new AdminCommand.Remove(NodeId.of("n2")));
        assertThat(AdminCommand.parse(args("RAFT.TRANSFER", "n3")))
                .isEqualTo(new AdminCommand.Transfer(NodeId.of("n3")));
    }

    @Test
    void wrongArityIsTheRedisError() {
        assertThatThrownBy(() -> AdminCommand.parse(args("RAFT.MEMBERS", "x")))
                .hasMessage("ERR wrong number of arguments for 'raft.members' command");
        assertThatThrownBy(() -> AdminCommand.parse(args("RAFT.ADD", "n4")))
                .hasMessage("ERR wrong number of arguments for 'raft.add' command");
        assertThatThrownBy(() -> AdminCommand.parse(args("RAFT.ADD", "n4", "h:1", "LEARNER", "x")))
                .hasMessage("ERR wrong number of arguments for 'raft.add' command");
        assertThatThrownBy(() -> AdminCommand.parse(args("RAFT.REMOVE")))
                .hasMessage("ERR wrong number of arguments for 'raft.remove' command");
        assertThatThrownBy(() -> AdminCommand.parse(args("RAFT.TRANSFER", "a", "b")))
                .hasMessage("ERR wrong number of arguments for 'raft.transfer' command");
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        assertThatThrownBy(() -> AdminCommand.parse(args("RAFT.ADD", "n4", "n4:7000", "VOTER")))
                .isInstanceOf(AdminCommand.Invalid.class)
                .hasMessageStartingWith("ERR syntax error").hasMessageContaining("[LEARNER]");
        assertThatThrownBy(() -> AdminCommand.parse(args("RAFT.ADD", "n4", "n4")))
                .hasMessageStartingWith("ERR invalid Raft address").hasMessageContaining("host:port");
        assertThatThrownBy(() -> AdminCommand.parse(args("RAFT.ADD", "n4", "n4:99999")))
                .hasMessageStartingWith("ERR invalid Raft address").hasMessageContaining("99999");
        assertThatThrownBy(() -> AdminCommand.parse(args("RAFT.ADD", "bad id!", "n4:7000")))
                .hasMessageStartingWith("ERR invalid node id");
        assertThatThrownBy(() -> AdminCommand.parse(args("RAFT.REMOVE", "")))
                .hasMessageStartingWith("ERR invalid node id");
    }

    @Test
    void aMembersReplyGivesEachMembersRaftAddress() throws Exception {
        byte[] reply = Replies.array(List.of(Replies.bulk("config_index".getBytes()), Replies.integer(7),
                Replies.bulk("members".getBytes()), Replies.array(List.of(
                        Replies.bulkArray(args("n1", "voter", "h1:7000", "h1:6379")),
                        Replies.bulkArray(args("n4", "learner", "h4:7000", ""))))));
        Object decoded = RespCall.read(new java.io.ByteArrayInputStream(reply), 0);
        assertThat(ClusterJoin.members(decoded, new HostPort("seed", 1)))
                .containsEntry(NodeId.of("n1"), new HostPort("h1", 7000))
                .containsEntry(NodeId.of("n4"), new HostPort("h4", 7000))
                .hasSize(2);
        assertThatThrownBy(() -> ClusterJoin.members("OK", new HostPort("seed", 1)))
                .hasMessageContaining("unexpected RAFT.MEMBERS reply");
    }

    @Test
    void failuresOfAChangeMapToErrorsSayingWhatToDo() {
        assertThat(reply(new ClusterChangeException(ClusterChangeException.Reason.CONFLICT, "configuration moved")))
                .startsWith("-CONFLICT configuration moved").contains("check RAFT.MEMBERS and retry");
        assertThat(reply(new ClusterChangeException(ClusterChangeException.Reason.INVALID, "n9 is not a voter")))
                .isEqualTo("-ERR n9 is not a voter\r\n");
        assertThat(reply(new ClusterChangeException(ClusterChangeException.Reason.TIMEOUT, "n4 did not catch up")))
                .isEqualTo("-TIMEOUT n4 did not catch up\r\n");
        assertThat(reply(new java.util.concurrent.CompletionException(new ServerBusyException("change running"))))
                .startsWith("-TRYAGAIN another membership change is in progress");
        assertThat(reply(new IndeterminateOutcomeException("lost leadership")))
                .startsWith("-INDETERMINATE").contains("check RAFT.MEMBERS");
    }

    private static String reply(Throwable t) {
        return new String(MembershipAdmin.reply(t), StandardCharsets.UTF_8);
    }
}
