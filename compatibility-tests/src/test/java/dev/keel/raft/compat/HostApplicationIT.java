package dev.keel.raft.compat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;
import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.storage.FileLogStorage;
import dev.keel.raft.storage.StorageConfig;
import dev.keel.raft.testing.Await;
import dev.keel.raft.transport.netty.NettyTransport;
import dev.keel.raft.transport.netty.NettyTransportConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A host application like a Spring Boot 3 service: protobuf-java 3.25 and Netty 4.1 are its own dependencies, in
 * use, in the same JVM as a 3-node Keel cluster over the published (shaded) transport. Before the transport bundled
 * its own, such a host never elected a leader (protobuf 3) or failed in {@code new NettyTransport} (Netty 4.1).
 */
class HostApplicationIT {
    private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    private static final RaftConfig CONFIG = RaftConfig.builder()
            .heartbeatInterval(Duration.ofMillis(50))
            .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000))
            .build();
    /** Elections take a few timeouts at most; a loaded 2-core machine can stretch each. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final List<RaftServer> servers = new ArrayList<>();
    private final List<NettyTransport> transports = new ArrayList<>();
    private EpollEventLoopGroup hostGroup;

    @AfterEach
    void stop() {
        servers.forEach(RaftServer::close);
        if (hostGroup != null) {
            hostGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
    }

    @Test
    void theHostReallyRunsProtobuf3AndNetty41AndKeelUsesItsOwnBundledCopies() throws Exception {
        assertThat(com.google.protobuf.Message.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .endsWith("protobuf-java-" + System.getProperty("host.protobuf.version") + ".jar");
        // protobuf 4's runtime check, which code generated for protobuf 4 calls: absent in 3.x.
        assertThatThrownBy(() -> Class.forName("com.google.protobuf.RuntimeVersion"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(io.netty.util.Version.identify().get("netty-common").artifactVersion())
                .isEqualTo(System.getProperty("host.netty.version"));
        // Netty 4.2's I/O handler, which the transport's own code uses: absent in 4.1.
        assertThatThrownBy(() -> Class.forName("io.netty.channel.nio.NioIoHandler"))
                .isInstanceOf(ClassNotFoundException.class);

        Path transportJar = Path.of(NettyTransport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(transportJar.getFileName().toString()).endsWith(".jar");
        try (ZipFile jar = new ZipFile(transportJar.toFile())) {
            assertThat(jar.getEntry("dev/keel/raft/transport/netty/shaded/io/netty/channel/Channel.class")).isNotNull();
            assertThat(jar.getEntry("dev/keel/raft/transport/netty/shaded/com/google/protobuf/Message.class"))
                    .isNotNull();
            assertThat(jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("io/netty/") || n.startsWith("com/google/"))).isEmpty();
        }
    }

    @Test
    void aThreeNodeClusterOverTheTransportElectsReplicatesAndReadsBesideTheHostsOwnNettyAndProtobuf()
            throws Exception {
        // The host's own Netty 4.1, native epoll included, serving an echo of protobuf 3 messages.
        assertThat(Epoll.isAvailable()).as("the host's Netty 4.1 epoll: " + Epoll.unavailabilityCause()).isTrue();
        hostGroup = new EpollEventLoopGroup(1);
        Channel echo = new ServerBootstrap().group(hostGroup).channel(EpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                ctx.writeAndFlush(msg.retain());
                            }
                        });
                    }
                }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();

        Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
        IDS.forEach(id -> addresses.put(id, freeLoopbackAddress()));
        List<Counter> counters = new ArrayList<>();
        for (NodeId id : IDS) {
            NettyTransport transport = new NettyTransport(NettyTransportConfig.builder()
                    .selfId(id)
                    .clusterId("host-app")
                    .members(addresses)
                    .ioThreads(1)
                    .build());
            transports.add(transport);
            Counter counter = new Counter();
            counters.add(counter);
            RaftServer server = RaftServer.builder()
                    .id(id)
                    .members(IDS)
                    .config(CONFIG)
                    .stateMachine(counter)
                    .logStorage(FileLogStorage.open(StorageConfig.builder(dir.resolve(id.value())).build()))
                    .transport(transport)
                    .build();
            servers.add(server);
            server.start();
        }
        // The bundled Netty found its renamed native library: the transport runs on epoll, not on NIO.
        assertThat(transports).allSatisfy(t -> assertThat(t.ioMode()).isEqualTo("epoll"));

        Await.until("a leader", WAIT, () -> leader() != null);
        for (int i = 1; i <= 100; i++) {
            submitOnLeader(i);
        }
        for (RaftServer server : servers) {
            long value = ByteBuffer.wrap(server.read(new byte[0]).get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .getLong();
            assertThat(value).as("linearizable read on " + server.id()).isEqualTo(5050);
        }
        Await.until("every replica to apply all 100 numbers", WAIT,
                () -> counters.stream().allMatch(c -> c.value() == 5050));

        // The host's protobuf 3 and Netty 4.1, still working beside Keel's copies.
        Struct message = Struct.newBuilder().putFields("replicated", Value.newBuilder().setNumberValue(5050).build())
                .build();
        assertThat(echoThroughHostNetty(echo, message.toByteArray()))
                .satisfies(bytes -> assertThat(Struct.parseFrom(bytes)).isEqualTo(message));
    }

    private RaftServer leader() {
        return servers.stream().filter(s -> s.status().isLeader()).findFirst().orElse(null);
    }

    /** Adds {@code amount} through whichever server leads, retrying through elections. */
    private void submitOnLeader(long amount) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            RaftServer leader = leader();
            if (leader != null) {
                try {
                    leader.submit(ByteBuffer.allocate(8).putLong(amount).array())
                            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    // Leadership moved: adding a number twice changes nothing, so any failure may be retried.
                    if (!(e.getCause() instanceof dev.keel.raft.exception.RaftException)) {
                        throw e;
                    }
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no leader accepted increment " + amount + " within " + WAIT);
            }
            Await.until("a leader", WAIT, () -> leader() != null);
        }
    }

    private byte[] echoThroughHostNetty(Channel server, byte[] payload) throws Exception {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        Channel client = new Bootstrap().group(hostGroup).channel(EpollSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    private final java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();

                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                byte[] chunk = new byte[msg.readableBytes()];
                                msg.readBytes(chunk);
                                received.writeBytes(chunk);
                                if (received.size() >= payload.length) {
                                    reply.complete(received.toByteArray());
                                }
                            }
                        });
                    }
                }).connect(server.localAddress()).sync().channel();
        try {
            client.writeAndFlush(Unpooled.wrappedBuffer(payload)).sync();
            return reply.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            client.close().sync();
        }
    }

    private static InetSocketAddress freeLoopbackAddress() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress("127.0.0.1", s.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The replicated state: a set of numbers (adding one twice changes nothing) and their sum. */
    private static final class Counter implements StateMachine {
        private final java.util.Set<Long> added = new java.util.HashSet<>();
        private volatile long value;

        @Override
        public byte[] apply(long index, byte[] command) {
            long n = ByteBuffer.wrap(command).getLong();
            if (added.add(n)) {
                value += n;
            }
            return ByteBuffer.allocate(8).putLong(value).array();
        }

        @Override
        public byte[] query(byte[] query) {
            return ByteBuffer.allocate(8).putLong(value).array();
        }

        long value() {
            return value;
        }
    }
}
