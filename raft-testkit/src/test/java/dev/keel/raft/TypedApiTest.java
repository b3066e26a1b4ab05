package dev.keel.raft;

import dev.keel.raft.statemachine.ApplyContext;
import dev.keel.raft.statemachine.Codec;
import dev.keel.raft.statemachine.Protocol;
import dev.keel.raft.statemachine.StateSnapshot;
import dev.keel.raft.statemachine.TypedStateMachine;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemoryNetwork;
import dev.keel.raft.testing.InMemorySnapshotStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The typed API: an application's commands, queries and results as its own types, never bytes. */
class TypedApiTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    private static final RaftConfig CONFIG = RaftConfig.builder()
            // Patient enough that a loaded 2-core machine does not make a healthy leader look dead.
            .tickInterval(Duration.ofMillis(10))
            .heartbeatInterval(Duration.ofMillis(50))
            .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000))
            .build();

    /** Commands of a tiny bank: move an amount from one account to another. */
    record Transfer(String from, String to, long amount) {
    }

    /** The transfer's outcome, or an account's balance. */
    record Balance(String account, long amount, boolean refused) {
    }

    static final Codec<Transfer> TRANSFERS = Codec.of(
            t -> (t.from() + "|" + t.to() + "|" + t.amount()).getBytes(StandardCharsets.UTF_8),
            b -> {
                String[] p = new String(b, StandardCharsets.UTF_8).split("\\|");
                return new Transfer(p[0], p[1], Long.parseLong(p[2]));
            });
    static final Codec<Balance> BALANCES = Codec.of(
            r -> (r.account() + "|" + r.amount() + "|" + r.refused()).getBytes(StandardCharsets.UTF_8),
            b -> {
                String[] p = new String(b, StandardCharsets.UTF_8).split("\\|");
                return new Balance(p[0], Long.parseLong(p[1]), Boolean.parseBoolean(p[2]));
            });
    static final Protocol<Transfer, String, Balance> BANK = Protocol.of(TRANSFERS, Codec.utf8(), BALANCES);

    /** The bank: every account starts with 100; a transfer beyond the balance is refused. */
    static final class Bank implements TypedStateMachine<Transfer, String, Balance> {
        private final Map<String, Long> accounts = new TreeMap<>();

        private long balance(String account) {
            return accounts.getOrDefault(account, 100L);
        }

        @Override
        public Balance apply(ApplyContext context, Transfer t) {
            if (balance(t.from()) < t.amount()) {
                return new Balance(t.from(), balance(t.from()), true);
            }
            accounts.put(t.from(), balance(t.from()) - t.amount());
            accounts.put(t.to(), balance(t.to()) + t.amount());
            return new Balance(t.from(), balance(t.from()), false);
        }

        @Override
        public Balance query(String account) {
            if (account.isEmpty()) {
                throw new IllegalArgumentException("no account named ''");
            }
            return new Balance(account, balance(account), false);
        }

        @Override
        public StateSnapshot takeSnapshot() {
            Map<String, Long> frozen = new TreeMap<>(accounts);
            return out -> {
                DataOutputStream d = new DataOutputStream(out);
                d.writeInt(frozen.size());
                for (Map.Entry<String, Long> e : frozen.entrySet()) {
                    d.writeUTF(e.getKey());
                    d.writeLong(e.getValue());
                }
                d.flush();
            };
        }

        @Override
        public void restoreSnapshot(InputStream in) throws java.io.IOException {
            DataInputStream d = new DataInputStream(in);
            accounts.clear();
            for (int n = d.readInt(); n > 0; n--) {
                accounts.put(d.readUTF(), d.readLong());
            }
        }
    }

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<NodeId, RaftServer> servers = new HashMap<>();

    @AfterEach
    void closeAll() {
        servers.values().forEach(RaftServer::close);
    }

    @Test
    void aTypedStateMachineIsReplicatedAndQueriedWithTypedClientsOnAnyMember() throws Exception {
        for (NodeId id : IDS) {
            RaftServer s = RaftServer.builder().id(id).members(IDS).config(CONFIG)
                    .stateMachine(BANK.stateMachine(new Bank())).logStorage(InMemoryLogStorage.autoSync())
                    .snapshotStorage(new InMemorySnapshotStorage()).transport(network.transport(id)).build();
            servers.put(id, s);
            s.start();
        }
        RaftServer follower = servers.get(IDS.get(0));
        ServerStatus ready = follower.awaitLeader(WAIT);
        if (ready.isLeader()) {
            follower = servers.get(IDS.get(1));
        }

        TypedClient<Transfer, String, Balance> plain = TypedClient.of(follower, BANK);
        Committed<Balance> first = plain.submitCommitted(new Transfer("alice", "bob", 30)).get(20, TimeUnit.SECONDS);
        assertThat(first.result()).isEqualTo(new Balance("alice", 70, false));
        assertThat(first.index()).isPositive();

        try (ClientSession session = follower.openSession().get(20, TimeUnit.SECONDS)) {
            TypedClient<Transfer, String, Balance> exactlyOnce = TypedClient.of(follower, session, BANK);
            assertThat(exactlyOnce.submit(new Transfer("alice", "carol", 80)).get(20, TimeUnit.SECONDS).refused())
                    .isTrue();
            Committed<Balance> moved = exactlyOnce.submitCommitted(new Transfer("bob", "carol", 130),
                    Duration.ofSeconds(20)).get(20, TimeUnit.SECONDS);
            assertThat(moved.result()).isEqualTo(new Balance("bob", 0, false));
            assertThat(moved.index()).isGreaterThan(first.index());
        }

        assertThat(plain.read("carol").get(20, TimeUnit.SECONDS).amount()).isEqualTo(230);
        assertThat(TypedClient.of(servers.get(IDS.get(2)), BANK).read("alice").get(20, TimeUnit.SECONDS).amount())
                .isEqualTo(70);
        // A query the state machine rejects fails that read only, with its own exception.
        CompletableFuture<Balance> bad = plain.read("");
        assertThatThrownBy(() -> bad.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(follower.snapshot().get(20, TimeUnit.SECONDS).index()).isPositive();
    }

    @Test
    void theGivenCodecsRoundTripAndRefuseMalformedBytes() {
        assertThat(Codec.int64().decode(Codec.int64().encode(-42L))).isEqualTo(-42L);
        assertThat(Codec.utf8().decode(Codec.utf8().encode("héllo"))).isEqualTo("héllo");
        assertThat(Codec.bytes().encode(new byte[]{1, 2})).containsExactly(1, 2);
        assertThatThrownBy(() -> Codec.int64().decode(new byte[3])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("8 bytes");
        Codec<Integer> ints = Codec.int64().map(Integer::longValue, Long::intValue);
        assertThat(ints.decode(ints.encode(7))).isEqualTo(7);
        assertThat(ByteBuffer.wrap(ints.encode(7)).getLong()).isEqualTo(7L);
    }
}
