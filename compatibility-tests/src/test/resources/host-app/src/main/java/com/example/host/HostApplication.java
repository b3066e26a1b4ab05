package com.example.host;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;
import dev.keel.raft.exception.RaftException;
import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.storage.FileLogStorage;
import dev.keel.raft.storage.StorageConfig;
import dev.keel.raft.transport.netty.NettyTransport;
import dev.keel.raft.transport.netty.NettyTransportConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A host application that uses its own protobuf-java 3 and Netty 4.1 (an epoll echo server of protobuf messages)
 * and, in the same JVM, runs a 3-node Keel cluster over the transport. It prints what it saw, one fact a line, and
 * exits 0 once every step worked; any failure is an exception and exit status 1.
 * Argument: a data directory.
 */
public final class HostApplication {
    private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    /** Elections take a few timeouts at most; a loaded 2-core machine can stretch each. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<RaftServer> servers = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        System.out.println("host protobuf " + jarOf(com.google.protobuf.Message.class));
        System.out.println("host protobuf has RuntimeVersion: " + present("com.google.protobuf.RuntimeVersion"));
        System.out.println("host netty " + io.netty.util.Version.identify().get("netty-common").artifactVersion());
        System.out.println("host netty has NioIoHandler: " + present("io.netty.channel.nio.NioIoHandler"));
        System.out.println("keel transport " + jarOf(NettyTransport.class));
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("the host's Netty epoll does not load", Epoll.unavailabilityCause());
        }

        EventLoopGroup hostGroup = new EpollEventLoopGroup(1);
        HostApplication app = new HostApplication();
        try {
            Channel echo = echoServer(hostGroup);
            app.runCluster(Path.of(args[0]));
            Struct message = Struct.newBuilder()
                    .putFields("replicated", Value.newBuilder().setNumberValue(5050).build()).build();
            Struct back = Struct.parseFrom(echoThrough(hostGroup, echo, message.toByteArray()));
            System.out.println("host netty echoed host protobuf: " + back.equals(message));
        } finally {
            app.servers.forEach(RaftServer::close);
            hostGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
    }

    private void runCluster(Path dir) throws Exception {
        Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (NodeId id : IDS) {
            addresses.put(id, freeLoopbackAddress());
        }
        RaftConfig config = RaftConfig.builder()
                .heartbeatInterval(Duration.ofMillis(50))
                .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000))
                .build();
        List<NettyTransport> transports = new ArrayList<>();
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
                    .config(config)
                    .stateMachine(counter)
                    .logStorage(FileLogStorage.open(StorageConfig.builder(dir.resolve(id.value())).build()))
                    .transport(transport)
                    .build();
            servers.add(server);
            server.start();
        }
        for (NettyTransport t : transports) {
            System.out.println("keel io " + t.ioMode());
        }

        await("a leader", () -> leader() != null);
        System.out.println("leader elected");
        for (int i = 1; i <= 100; i++) {
            submitOnLeader(i);
        }
        for (RaftServer server : servers) {
            byte[] value = server.read(new byte[0]).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            System.out.println("read on " + server.id().value() + ": " + ByteBuffer.wrap(value).getLong());
        }
        await("every replica to apply all 100 numbers", () -> counters.stream().allMatch(c -> c.value == 5050));
        System.out.println("every replica applied sum 5050");
    }

    private RaftServer leader() {
        return servers.stream().filter(s -> s.status().isLeader()).findFirst().orElse(null);
    }

    /** Adds {@code amount} through whichever server leads, retrying through elections (adding twice is a no-op). */
    private void submitOnLeader(long amount) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            RaftServer leader = leader();
            if (leader != null) {
                try {
                    leader.submit(ByteBuffer.allocate(8).putLong(amount).array())
                            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof RaftException)) {
                        throw e;
                    }
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no leader accepted " + amount + " within " + WAIT);
            }
            await("a leader", () -> leader() != null);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no " + what + " within " + WAIT);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static Channel echoServer(EventLoopGroup group) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
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
    }

    private static byte[] echoThrough(EventLoopGroup group, Channel server, byte[] payload) throws Exception {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        Channel client = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
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

    private static String jarOf(Class<?> c) {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().getPath()).getFileName().toString();
    }

    private static boolean present(String className) {
        try {
            Class.forName(className);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static InetSocketAddress freeLoopbackAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress("127.0.0.1", s.getLocalPort());
        }
    }

    /** The replicated state: a set of numbers (adding one twice changes nothing) and their sum. */
    private static final class Counter implements StateMachine {
        private final Set<Long> added = new HashSet<>();
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
    }
}
