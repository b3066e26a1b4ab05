package dev.keel.raft.transport.netty;

import dev.keel.raft.NodeId;
import dev.keel.raft.spi.Transport;
import dev.keel.raft.testing.TransportContract;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The core {@link TransportContract} over real sockets on 127.0.0.1. */
class NettyTransportContractTest extends TransportContract {

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
}
