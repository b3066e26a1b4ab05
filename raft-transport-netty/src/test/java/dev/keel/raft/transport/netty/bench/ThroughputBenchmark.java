package dev.keel.raft.transport.netty.bench;

import dev.keel.raft.NodeId;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.spi.InboundHandler;
import dev.keel.raft.transport.netty.NettyTransport;
import dev.keel.raft.transport.netty.NettyTransportConfig;
import dev.keel.raft.transport.netty.TransportStats;
import dev.keel.raft.transport.netty.internal.MessageMapper;
import dev.keel.raft.transport.netty.internal.NettyIo;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Throughput of AppendEntries (64 entries x 128 B) from one node to another over loopback: through
 * {@link NettyTransport} (records in, records out: mapping, protobuf, framing, queueing) against a plain Netty pipe
 * moving the same frames' bytes (pre-encoded, only framing on the receiving side), which is the limit.
 *
 * <p>A harness, not a test: run it with {@code main} (see the module README). Each side has one event-loop thread;
 * the transport run also has the sending thread, which keeps at most {@code -Dwindow} (default 256) messages in
 * flight, the way the engine bounds in-flight AppendEntries per follower, and refills the window in bursts of at least
 * {@value #BURST} messages, as the plain pipe writes {@value #BURST} frames per flush. Besides the rates it reports the
 * process CPU time per message, which depends far less than the rates on what else the machine is running.
 */
public final class ThroughputBenchmark {
    private static final int ENTRIES = 64;
    private static final int ENTRY_BYTES = 128;
    private static final int WINDOW = Integer.getInteger("window", 256);
    private static final int BURST = 64;
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private ThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        double warmupSeconds = Double.parseDouble(System.getProperty("warmup", "3"));
        double measureSeconds = Double.parseDouble(System.getProperty("measure", "5"));
        int iterations = Integer.getInteger("iterations", 3);
        boolean preferNative = !Boolean.getBoolean("nio");
        List<RaftMessage> messages = messages();
        int frameBytes = 4 + MessageMapper.toEnvelope(messages.get(0), NettyTransportConfig.DEFAULT_GROUP_ID)
                .getSerializedSize();
        System.out.printf(Locale.ROOT, "frame: %d bytes (%d entries x %d B), io: %s, cores: %d, jdk: %s%n",
                frameBytes, ENTRIES, ENTRY_BYTES, NettyIo.select(preferNative).name(),
                Runtime.getRuntime().availableProcessors(), Runtime.version());

        String mode = System.getProperty("mode", "both");
        for (int i = 0; i < iterations; i++) {
            if (mode.equals("transport")) {
                System.out.println("NettyTransport " + transport(messages, frameBytes, warmupSeconds, measureSeconds,
                        preferNative));
                continue;
            }
            Result pipe = plainPipe(messages.get(0), frameBytes, warmupSeconds, measureSeconds, preferNative);
            Result transport = transport(messages, frameBytes, warmupSeconds, measureSeconds, preferNative);
            System.out.printf(Locale.ROOT, "iteration %d: plain pipe %s | NettyTransport %s | byte-rate ratio %.0f%%"
                            + " | CPU-efficiency ratio %.0f%%%n", i + 1, pipe, transport,
                    100.0 * transport.bytesPerSecond / pipe.bytesPerSecond,
                    100.0 * pipe.cpuMicrosPerMessage / transport.cpuMicrosPerMessage);
        }
    }

    /** Distinct records, so that the sender does not resend one cached object. */
    private static List<RaftMessage> messages() {
        List<RaftMessage> list = new ArrayList<>();
        for (int m = 0; m < 64; m++) {
            List<LogEntry> entries = new ArrayList<>(ENTRIES);
            long prev = 1_000_000L + (long) m * ENTRIES;
            for (int e = 0; e < ENTRIES; e++) {
                byte[] data = new byte[ENTRY_BYTES];
                data[0] = (byte) e;
                data[ENTRY_BYTES - 1] = (byte) m;
                entries.add(LogEntry.command(prev + 1 + e, 7, data));
            }
            list.add(new AppendEntriesRequest(A, B, 7, prev, 7, entries, prev));
        }
        return list;
    }

    /**
     * @param cpuMicrosPerMessage CPU time of the whole process (every thread, user and system) per message: unlike
     *                            the rates, it hardly depends on what else the machine is running
     */
    record Result(double messagesPerSecond, double bytesPerSecond, double cpuMicrosPerMessage) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,.0f msg/s %,.1f MB/s %.1f CPU-us/msg", messagesPerSecond,
                    bytesPerSecond / 1e6, cpuMicrosPerMessage);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static Result measure(AtomicLong received, int frameBytes, double warmupSeconds, double measureSeconds)
            throws InterruptedException {
        Thread.sleep((long) (warmupSeconds * 1000));
        long c0 = received.get();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        Thread.sleep((long) (measureSeconds * 1000));
        long c1 = received.get();
        long cpu1 = processCpuNanos();
        double seconds = (System.nanoTime() - t0) / 1e9;
        double mps = (c1 - c0) / seconds;
        return new Result(mps, mps * frameBytes, (cpu1 - cpu0) / 1e3 / Math.max(1, c1 - c0));
    }

    private static Result transport(List<RaftMessage> messages, int frameBytes, double warmupSeconds,
                                    double measureSeconds, boolean preferNative) throws InterruptedException {
        AtomicLong received = new AtomicLong();
        NettyTransport a = new NettyTransport(config(A, preferNative));
        NettyTransport b = new NettyTransport(config(B, preferNative));
        a.start(message -> { });
        b.start(new InboundHandler() {
            @Override
            public void onMessage(RaftMessage message) {
                received.incrementAndGet();
            }
        });
        a.updatePeers(Map.of(B, b.localAddress()));
        b.updatePeers(Map.of(A, a.localAddress()));
        Thread sender = new Thread(() -> {
            long sent = 0;
            int i = 0;
            while (!Thread.currentThread().isInterrupted()) {
                // Refill the window in bursts of at least BURST, as the plain pipe writes BURST frames per flush.
                long free = WINDOW - (sent - received.get());
                if (free < BURST) {
                    LockSupport.parkNanos(20_000);
                    continue;
                }
                for (long n = 0; n < free; n++) {
                    a.send(messages.get(i++ & 63));
                }
                sent += free;
            }
        }, "bench-sender");
        sender.start();
        try {
            return measure(received, frameBytes, warmupSeconds, measureSeconds);
        } finally {
            sender.interrupt();
            sender.join();
            TransportStats s = a.stats();
            if (s.droppedQueueFull() + s.droppedTooLarge() > 0) {
                System.out.println("  (sender dropped " + (s.droppedQueueFull() + s.droppedTooLarge()) + ")");
            }
            a.close();
            b.close();
        }
    }

    private static NettyTransportConfig config(NodeId id, boolean preferNative) {
        return NettyTransportConfig.builder()
                .selfId(id)
                .clusterId("bench")
                .bindAddress(new InetSocketAddress("127.0.0.1", 0))
                .maxQueuedMessagesPerPeer(4 * WINDOW)
                .ioThreads(1)
                .preferNativeTransport(preferNative)
                .build();
    }

    /** The same frame bytes, written as fast as the socket takes them, counted by a frame decoder. */
    private static Result plainPipe(RaftMessage message, int frameBytes, double warmupSeconds, double measureSeconds,
                                    boolean preferNative) throws InterruptedException {
        NettyIo io = NettyIo.select(preferNative);
        byte[] body = MessageMapper.toEnvelope(message, NettyTransportConfig.DEFAULT_GROUP_ID).toByteArray();
        ByteBuf frame = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(frameBytes).writeInt(body.length).writeBytes(body));
        AtomicLong received = new AtomicLong();
        EventLoopGroup serverGroup = io.newGroup(1, "pipe-server");
        EventLoopGroup clientGroup = io.newGroup(1, "pipe-client");
        try {
            Channel server = new ServerBootstrap().group(serverGroup).channel(io.serverSocketChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 24, 0, 4, 0, 4),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            ((ByteBuf) msg).release();
                                            received.incrementAndGet();
                                        }
                                    });
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
            Channel client = new Bootstrap().group(clientGroup).channel(io.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            pump(ctx);
                        }

                        @Override
                        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                            pump(ctx);
                        }

                        private void pump(ChannelHandlerContext ctx) {
                            while (ctx.channel().isWritable()) {
                                for (int i = 0; i < BURST; i++) {
                                    ctx.write(frame.duplicate());
                                }
                                ctx.flush();
                            }
                        }
                    }).connect(server.localAddress()).syncUninterruptibly().channel();
            try {
                return measure(received, frameBytes, warmupSeconds, measureSeconds);
            } finally {
                client.close().syncUninterruptibly();
                server.close().syncUninterruptibly();
            }
        } finally {
            clientGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            serverGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
