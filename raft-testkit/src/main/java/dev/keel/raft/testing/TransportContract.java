package dev.keel.raft.testing;

import dev.keel.raft.NodeId;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.AppendEntriesResponse;
import dev.keel.raft.message.ClientRequest;
import dev.keel.raft.message.ForwardRequest;
import dev.keel.raft.message.ForwardResponse;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.HeartbeatResponse;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.InstallSnapshotResponse;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.ReadIndexRequest;
import dev.keel.raft.message.ReadIndexResponse;
import dev.keel.raft.message.VoteRequest;
import dev.keel.raft.message.VoteResponse;
import dev.keel.raft.spi.InboundHandler;
import dev.keel.raft.spi.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour every {@link Transport} must have. Extend it and implement {@link #createTransports}.
 */
public abstract class TransportContract {
    protected static final NodeId A = NodeId.of("a");
    protected static final NodeId B = NodeId.of("b");
    protected static final NodeId C = NodeId.of("c");

    private final List<Transport> created = new ArrayList<>();

    /**
     * Unstarted transports for the given members, able to reach each other. Ids that the implementation cannot
     * reach (e.g. with no configured address) must not be in the list the test passes; {@link #unknownNode()} is
     * never passed.
     */
    protected abstract Map<NodeId, Transport> createTransports(List<NodeId> members) throws Exception;

    /** Max time a message may take on an idle, healthy local network. */
    protected Duration deliveryTimeout() {
        return Duration.ofSeconds(10);
    }

    /** An id that is not a member: sending to it must not throw or block. */
    protected NodeId unknownNode() {
        return NodeId.of("stranger");
    }

    @AfterEach
    void closeAll() {
        created.forEach(Transport::close);
    }

    private Map<NodeId, Transport> transports(NodeId... ids) throws Exception {
        Map<NodeId, Transport> map = createTransports(List.of(ids));
        created.addAll(map.values());
        return map;
    }

    private static final SnapshotMetadata SNAPSHOT = new SnapshotMetadata(40, 3,
            dev.keel.raft.Membership.of(List.of(dev.keel.raft.Member.of("a", "127.0.0.1:7001"),
                            dev.keel.raft.Member.of("b", "127.0.0.1:7002"), dev.keel.raft.Member.of("c", "")),
                    List.of(dev.keel.raft.Member.of("d", "10.1.2.3:9000"))), 12, 5, 0xCAFEL);

    /** Every message type the engine uses, addressed from {@code from} to {@code to}. */
    public static List<RaftMessage> sampleMessages(NodeId from, NodeId to) {
        List<LogEntry> entries = List.of(LogEntry.noOp(11, 3), LogEntry.command(12, 3, new byte[]{1, 2, 3}),
                LogEntry.command(13, 4, new byte[0]), LogEntry.command(14, 4, new byte[1000]),
                new LogEntry(15, 4, dev.keel.raft.log.EntryType.REQUEST, new byte[]{1, 1, 0, 0, 0, 0, 0, 0, 0, 9, 42}));
        return List.of(
                new VoteRequest(from, to, 5, 10, 2, false),
                new VoteRequest(from, to, 6, 10, 2, true),
                new VoteResponse(from, to, 5, true, false),
                new VoteResponse(from, to, 6, false, true),
                new AppendEntriesRequest(from, to, 4, 10, 2, entries, 9),
                new AppendEntriesRequest(from, to, 4, 0, 0, List.of(), 0),
                AppendEntriesResponse.accepted(from, to, 4, 14),
                new AppendEntriesResponse(from, to, 4, false, 10, 2, 7),
                new Heartbeat(from, to, 4, 9, 17),
                new HeartbeatResponse(from, to, 4, 17, 14),
                new ReadIndexRequest(from, to, 4, 99),
                new ReadIndexResponse(from, to, 4, 99, true, 14),
                new ReadIndexResponse(from, to, 4, 100, false, 0),
                new InstallSnapshotRequest(from, to, 4, SNAPSHOT, 0, new byte[]{9, 8, 7}, false),
                new InstallSnapshotRequest(from, to, 4, SNAPSHOT, 3, new byte[2], true),
                new InstallSnapshotRequest(from, to, 4, new SnapshotMetadata(1, 1,
                        dev.keel.raft.Membership.ofVoters(List.of(dev.keel.raft.Member.of(from))), 0, 0, 0), 0,
                        new byte[0], true),
                new VoteRequest(from, to, 7, 10, 2, false, true),
                new dev.keel.raft.message.TimeoutNow(from, to, 7),
                new InstallSnapshotResponse(from, to, 4, 40, InstallSnapshotResponse.Status.CONTINUE, 3),
                new InstallSnapshotResponse(from, to, 4, 40, InstallSnapshotResponse.Status.INSTALLED, 40),
                new InstallSnapshotResponse(from, to, 4, 40, InstallSnapshotResponse.Status.REJECTED, 0),
                new ForwardRequest(from, to, 4, 7, new ClientRequest.Command(new byte[]{4, 5, 6})),
                new ForwardRequest(from, to, 4, -8, new ClientRequest.Command(new byte[0])),
                new ForwardRequest(from, to, 4, 9, new ClientRequest.ChangeMembership(SNAPSHOT.membership(), 12)),
                new ForwardRequest(from, to, 4, 10, new ClientRequest.TransferLeadership(NodeId.of("c"))),
                new ForwardRequest(from, to, 4, 11, new ClientRequest.Unsupported(0)),
                new ForwardRequest(from, to, 4, 12, new ClientRequest.OpenSession()),
                new ForwardRequest(from, to, 4, 13, new ClientRequest.SessionCommand(21, 7, 5, new byte[]{3})),
                new ForwardRequest(from, to, 4, 14, new ClientRequest.KeepAlive(21, 6)),
                new ForwardRequest(from, to, 4, 15, new ClientRequest.CloseSession(21)),
                new ForwardResponse(from, to, 5, 13, ForwardResponse.Outcome.SESSION_OUT_OF_ORDER, 0, new byte[0],
                        null, "command 7 of session 21 arrived before command 6"),
                new ForwardResponse(from, to, 4, 7, ForwardResponse.Outcome.OK, 15, new byte[]{1, 2}, null, ""),
                new ForwardResponse(from, to, 5, 8, ForwardResponse.Outcome.NOT_LEADER, 0, new byte[0],
                        NodeId.of("c"), "not the leader"),
                new ForwardResponse(from, to, 5, 9, ForwardResponse.Outcome.INDETERMINATE, 0, new byte[0], null,
                        "leadership changed"));
    }

    /**
     * Sends {@code probe} every 20 ms until one arrives: connections may come up lazily. Probes still in flight may
     * arrive later, so tests ignore messages equal to the probe.
     */
    private void connect(Transport from, Recorder at, RaftMessage probe) {
        long[] lastSent = {0};
        Await.until("a first message " + probe.from() + " -> " + probe.to(), deliveryTimeout(), () -> {
            if (System.nanoTime() - lastSent[0] > 20_000_000L) {
                from.send(probe);
                lastSent[0] = System.nanoTime();
            }
            return at.received.contains(probe);
        });
    }

    private static final class Recorder implements InboundHandler {
        final List<RaftMessage> received = new CopyOnWriteArrayList<>();

        List<RaftMessage> receivedExcept(RaftMessage ignored) {
            return received.stream().filter(m -> !m.equals(ignored)).toList();
        }

        @Override
        public void onMessage(RaftMessage message) {
            received.add(message);
        }
    }

    @Test
    void everyMessageTypeArrivesIntact() throws Exception {
        Map<NodeId, Transport> t = transports(A, B);
        Recorder atB = new Recorder();
        t.get(A).start(new Recorder());
        t.get(B).start(atB);
        List<RaftMessage> sent = sampleMessages(A, B);
        RaftMessage probe = new Heartbeat(A, B, 1, 0, 12345);
        connect(t.get(A), atB, probe);
        sent.forEach(t.get(A)::send);
        Await.until("all sample messages at b", deliveryTimeout(),
                () -> atB.receivedExcept(probe).size() >= sent.size());
        assertThat(atB.receivedExcept(probe)).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void messagesGoToTheAddresseeOnlyAndBothWays() throws Exception {
        Map<NodeId, Transport> t = transports(A, B, C);
        Recorder atA = new Recorder();
        Recorder atB = new Recorder();
        Recorder atC = new Recorder();
        t.get(A).start(atA);
        t.get(B).start(atB);
        t.get(C).start(atC);
        long[] lastSent = {0};
        Await.until("messages a->b, b->a and c->b", deliveryTimeout(), () -> {
            if (System.nanoTime() - lastSent[0] > 20_000_000L) {
                t.get(A).send(new Heartbeat(A, B, 1, 0, 0));
                t.get(B).send(new HeartbeatResponse(B, A, 1, 0, 0));
                t.get(C).send(new Heartbeat(C, B, 1, 0, 0));
                lastSent[0] = System.nanoTime();
            }
            return !atB.received.isEmpty() && !atA.received.isEmpty()
                    && atB.received.stream().anyMatch(m -> m.from().equals(C));
        });
        assertThat(atC.received).isEmpty();
        assertThat(atB.received).allMatch(m -> m.to().equals(B));
        assertThat(atA.received).allMatch(m -> m.to().equals(A) && m.from().equals(B));
    }

    @Test
    void manyMessagesFromConcurrentSendersAllArriveOnAHealthyNetwork() throws Exception {
        Map<NodeId, Transport> t = transports(A, B);
        Recorder atB = new Recorder();
        t.get(A).start(new Recorder());
        t.get(B).start(atB);
        RaftMessage probe = new Heartbeat(A, B, 1, 0, 12345);
        connect(t.get(A), atB, probe);
        int threads = 4;
        int perThread = 200;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> senders = new ArrayList<>();
        for (int th = 0; th < threads; th++) {
            int base = th * perThread;
            Thread sender = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    t.get(A).send(new ReadIndexRequest(A, B, 1, base + i));
                }
            });
            sender.start();
            senders.add(sender);
        }
        start.countDown();
        for (Thread s : senders) {
            s.join();
        }
        Await.until("all messages at b", deliveryTimeout(),
                () -> atB.receivedExcept(probe).size() >= threads * perThread);
        assertThat(atB.receivedExcept(probe)).extracting(m -> ((ReadIndexRequest) m).requestId())
                .doesNotHaveDuplicates().hasSize(threads * perThread);
    }

    @Test
    void sendingToAnUnknownOrStoppedPeerNeitherThrowsNorBlocks() throws Exception {
        Map<NodeId, Transport> t = transports(A, B);
        t.get(A).start(new Recorder());
        // b is never started: its messages have nowhere to go.
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            t.get(A).send(new Heartbeat(A, B, 1, 0, 0));
            t.get(A).send(new Heartbeat(A, unknownNode(), 1, 0, 0));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void closeIsIdempotentAndSendAfterCloseIsDropped() throws Exception {
        Map<NodeId, Transport> t = transports(A, B);
        Recorder atB = new Recorder();
        t.get(A).start(new Recorder());
        t.get(B).start(atB);
        t.get(A).close();
        t.get(A).close();
        t.get(A).send(new Heartbeat(A, B, 1, 0, 0));
        t.get(B).close();
        t.get(B).close();
        assertThat(atB.received).isEmpty();
    }
}
