package com.example.app;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;
import dev.keel.raft.metrics.KeelMetrics;
import dev.keel.raft.metrics.Metric;
import dev.keel.raft.metrics.MetricsRegistry;
import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.storage.FileLogStorage;
import dev.keel.raft.storage.StorageConfig;
import dev.keel.raft.transport.netty.NettyTransport;
import dev.keel.raft.transport.netty.NettyTransportConfig;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * An application module on the module path: a one-node Keel cluster through the exported API, then reflective calls
 * into packages the Keel modules do not export, each of which must be refused.
 * Arguments: data directory, Raft port.
 */
public final class Main {
    private static final class Sum implements StateMachine {
        private long sum;

        @Override
        public byte[] apply(long index, byte[] command) {
            sum += ByteBuffer.wrap(command).getLong();
            return ByteBuffer.allocate(8).putLong(sum).array();
        }

        @Override
        public byte[] query(byte[] query) {
            return ByteBuffer.allocate(8).putLong(sum).array();
        }
    }

    public static void main(String[] args) throws Exception {
        NodeId self = NodeId.of("n1");
        NettyTransport transport = new NettyTransport(NettyTransportConfig.builder()
                .selfId(self)
                .clusterId("module-path-app")
                .members(Map.of(self, new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]))))
                .build());
        // The metrics SPI from an application module: the commits the server times.
        AtomicLong commits = new AtomicLong();
        MetricsRegistry metrics = new MetricsRegistry() {
            @Override
            public Counter counter(Metric metric, Map<String, String> tags) {
                return amount -> { };
            }

            @Override
            public Histogram histogram(Metric metric, Map<String, String> tags) {
                return metric.equals(KeelMetrics.COMMIT_LATENCY) ? value -> commits.incrementAndGet() : value -> { };
            }

            @Override
            public Registration gauge(Metric metric, Map<String, String> tags, LongSupplier value) {
                return () -> { };
            }
        };
        try (RaftServer server = RaftServer.builder()
                .id(self)
                .members(List.of(self))
                .config(RaftConfig.defaults())
                .stateMachine(new Sum())
                .logStorage(FileLogStorage.open(StorageConfig.builder(Path.of(args[0])).build()))
                .transport(transport)
                .metrics(metrics)
                .build()) {
            server.start();
            System.out.println("io " + transport.ioMode());
            // A one-node cluster elects itself after one election timeout.
            server.awaitLeader(java.time.Duration.ofSeconds(60));
            server.submit(ByteBuffer.allocate(8).putLong(42).array()).get(60, TimeUnit.SECONDS);
            System.out.println("sum " + ByteBuffer.wrap(server.read(new byte[0]).get(60, TimeUnit.SECONDS)).getLong());
            System.out.println("commits timed " + commits.get());
        }
        reach("dev.keel.raft.internal.quorum.Majority", "size", int.class, 3);
        reach("dev.keel.raft.storage.internal.RecordFormat", "entrySizeOfRecord", int.class, 64);
        reach("dev.keel.raft.transport.netty.shaded.io.netty.util.Version", "identify");
    }

    /** Calls a public static method of a public class in a package that its module does not export. */
    private static void reach(String className, String method, Object... typesThenArgs) {
        try {
            Class<?> c = Class.forName(className);
            int n = typesThenArgs.length / 2;
            Class<?>[] types = new Class<?>[n];
            Object[] values = new Object[n];
            for (int i = 0; i < n; i++) {
                types[i] = (Class<?>) typesThenArgs[i];
                values[i] = typesThenArgs[n + i];
            }
            c.getMethod(method, types).invoke(null, values);
            System.out.println("reached " + className);
        } catch (IllegalAccessException e) {
            System.out.println("refused " + className + ": " + e.getClass().getSimpleName());
        } catch (ReflectiveOperationException e) {
            System.out.println("error " + className + ": " + e);
        }
    }
}
