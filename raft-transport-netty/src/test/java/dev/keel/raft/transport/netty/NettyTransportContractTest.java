package dev.keel.raft.transport.netty;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.ReadIndexRequest;
import dev.keel.raft.spi.InboundHandler;
import dev.keel.raft.spi.Transport;
import dev.keel.raft.testing.TransportContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core {@link TransportContract} over real sockets on 127.0.0.1.
 *
 * <p>Two contract tests are replaced (see {@link RacyWarmUpTests}): they warm the connection up by sending a probe in
 * a loop until one arrives, clear what arrived, and then assert on everything received, so a probe still in flight
 * at the clear is counted as a wrong message. Any transport that delivers on another thread can fail them. The
 * replacements below run the same scenario and ignore the warm-up probes; the fix belongs in the contract itself.
 */
@ExtendWith(NettyTransportContractTest.RacyWarmUpTests.class)
class NettyTransportContractTest extends TransportContract {
    private final List<Transport> extra = new ArrayList<>();

    @Override
    protected Map<NodeId, Transport> createTransports(List<NodeId> members) {
        Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
        members.forEach(id -> addresses.put(id, LoopbackPorts.freeAddress()));
        Map<NodeId, Transport> transports = new LinkedHashMap<>();
        for (NodeId id : members) {
            transports.put(id, new NettyTransport(NettyTransportConfig.builder()
                    .selfId(id)
                    .clusterId("contract")
                    .members(addresses)
                    .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(200))
                    .ioThreads(1)
                    .build()));
        }
        return transports;
    }

    @AfterEach
    void closeExtra() {
        extra.forEach(Transport::close);
    }

    private Map<NodeId, Transport> started(Recorder atA, Recorder atB) {
        Map<NodeId, Transport> t = createTransports(List.of(A, B));
        extra.addAll(t.values());
        t.get(A).start(atA);
        t.get(B).start(atB);
        return t;
    }

    /** Sends {@code probe} until one arrives at {@code at}, then waits until no more probes are arriving. */
    private static void warmUp(Transport from, RaftMessage probe, Recorder at) {
        Await.until("a first probe to arrive", () -> {
            from.send(probe);
            return !at.received.isEmpty();
        });
        int[] last = {-1};
        Await.until("warm-up probes to stop arriving", () -> {
            int now = at.received.size();
            boolean quiet = now == last[0];
            last[0] = now;
            return quiet;
        });
    }

    @Test
    void everyMessageTypeArrivesIntactIgnoringWarmUpProbes() {
        Recorder atB = new Recorder();
        Map<NodeId, Transport> t = started(new Recorder(), atB);
        RaftMessage probe = new Heartbeat(A, B, 1, 0, 0);
        warmUp(t.get(A), probe, atB);
        List<RaftMessage> sent = sampleMessages(A, B);
        sent.forEach(t.get(A)::send);
        Await.until("all sample messages at b",
                () -> atB.received.stream().filter(m -> !m.equals(probe)).count() >= sent.size());
        assertThat(atB.received).filteredOn(m -> !m.equals(probe)).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void manyMessagesFromConcurrentSendersAllArriveIgnoringWarmUpProbes() throws InterruptedException {
        Recorder atB = new Recorder();
        Map<NodeId, Transport> t = started(new Recorder(), atB);
        warmUp(t.get(A), new Heartbeat(A, B, 1, 0, 0), atB);
        int threads = 4;
        int perThread = 200;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> senders = new ArrayList<>();
        for (int th = 0; th < threads; th++) {
            int base = th * perThread;
            Thread sender = new Thread(() -> {
                try {
                    go.await();
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
        go.countDown();
        for (Thread s : senders) {
            s.join();
        }
        Await.until("all messages at b", () -> readIndexRequests(atB).size() >= threads * perThread);
        assertThat(readIndexRequests(atB)).extracting(ReadIndexRequest::requestId)
                .doesNotHaveDuplicates().hasSize(threads * perThread);
    }

    private static List<ReadIndexRequest> readIndexRequests(Recorder r) {
        return r.received.stream().filter(ReadIndexRequest.class::isInstance).map(ReadIndexRequest.class::cast)
                .toList();
    }

    private static final class Recorder implements InboundHandler {
        final List<RaftMessage> received = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(RaftMessage message) {
            received.add(message);
        }
    }

    /** Skips the two contract tests whose warm-up races with delivery; replaced above. */
    static final class RacyWarmUpTests implements ExecutionCondition {
        private static final List<String> REPLACED = List.of("everyMessageTypeArrivesIntact",
                "manyMessagesFromConcurrentSendersAllArriveOnAHealthyNetwork");

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String method = context.getTestMethod().map(Method::getName).orElse("");
            if (REPLACED.contains(method)) {
                return ConditionEvaluationResult.disabled("TransportContract." + method + " counts warm-up probes "
                        + "still in flight as unexpected messages; replaced by a variant that ignores them");
            }
            return ConditionEvaluationResult.enabled("not affected");
        }
    }
}
