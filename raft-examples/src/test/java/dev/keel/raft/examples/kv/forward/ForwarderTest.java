package dev.keel.raft.examples.kv.forward;

import dev.keel.raft.NodeId;
import dev.keel.raft.examples.kv.resp.ClientIo;
import dev.keel.raft.testing.Await;
import io.netty.channel.EventLoopGroup;
import dev.keel.raft.examples.kv.security.MemberAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Forwarded requests to a leader that went silent. */
class ForwarderTest {
    private static final NodeId OLD = NodeId.of("n1");
    private static final NodeId NEW = NodeId.of("n2");
    private static final Duration LONG = Duration.ofMinutes(10);

    private final ClientIo io = ClientIo.detect();
    private final EventLoopGroup group = io.newGroup(1, "forwarder-test");
    private final ExecutorService resolver = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        resolver.shutdownNow();
    }

    @Test
    void requestsSentToAFormerLeaderAreGivenUpOnWhenANewLeaderIsKnownNotAfterTheReplyTimeout() throws Exception {
        try (SilentLeader silent = new SilentLeader();
             // A reply timeout far longer than the test's deadlines: only leaderChanged can end these requests.
             Forwarder forwarder = new Forwarder(id -> Optional.of(silent.address()).filter(a -> id.equals(OLD)),
                     group, io.socketChannel(), resolver, Duration.ofSeconds(5), LONG, LONG, MemberAccess.open())) {
            CompletableFuture<ForwardResult> first = forwarder.forward(OLD, "SET a 1".getBytes(StandardCharsets.UTF_8));
            CompletableFuture<ForwardResult> second = forwarder.forward(OLD, "SET a 2".getBytes(StandardCharsets.UTF_8));
            Await.until("the old leader to receive the requests", Duration.ofSeconds(10),
                    () -> silent.bytesRead() > 0 && !first.isDone());

            forwarder.leaderChanged(NEW);

            assertThat(first.get(10, TimeUnit.SECONDS)).isInstanceOf(ForwardResult.Lost.class);
            assertThat(second.get(10, TimeUnit.SECONDS)).isInstanceOfAny(ForwardResult.Lost.class,
                    ForwardResult.NotSent.class);
        }
    }

    @Test
    void aNewLeaderThatIsTheSameNodeKeepsItsRequests() throws Exception {
        try (SilentLeader silent = new SilentLeader();
             Forwarder forwarder = new Forwarder(id -> Optional.of(silent.address()), group, io.socketChannel(),
                     resolver, Duration.ofSeconds(5), LONG, LONG, MemberAccess.open())) {
            CompletableFuture<ForwardResult> request = forwarder.forward(OLD, "SET a 1".getBytes(StandardCharsets.UTF_8));
            Await.until("the leader to receive the request", Duration.ofSeconds(10), () -> silent.bytesRead() > 0);
            forwarder.leaderChanged(OLD);
            // Counted before the later request is sent: read after, the count may already include it.
            int before = silent.bytesRead();
            // The link's event loop runs the (no-op) abandon before the later request, which then arrives.
            CompletableFuture<ForwardResult> later = forwarder.forward(OLD, "SET a 2".getBytes(StandardCharsets.UTF_8));
            Await.until("the later request to arrive", Duration.ofSeconds(10), () -> silent.bytesRead() > before);
            assertThat(request).isNotDone();
            assertThat(later).isNotDone();
        }
    }

    /** A leader that accepts one connection and reads everything, never answering. */
    private static final class SilentLeader implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicInteger bytesRead = new AtomicInteger();

        SilentLeader() throws IOException {
            Thread acceptor = new Thread(this::swallow, "silent-leader");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        int bytesRead() {
            return bytesRead.get();
        }

        private void swallow() {
            try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                byte[] buf = new byte[4096];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    bytesRead.addAndGet(n);
                }
            } catch (IOException e) {
                // Closed at the end of the test.
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
