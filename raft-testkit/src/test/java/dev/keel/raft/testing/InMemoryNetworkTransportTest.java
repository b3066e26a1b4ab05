package dev.keel.raft.testing;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.spi.Transport;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryNetworkTransportTest extends TransportContract {
    private final InMemoryNetwork network = new InMemoryNetwork();

    @Override
    protected Map<NodeId, Transport> createTransports(List<NodeId> members) {
        Map<NodeId, Transport> map = new LinkedHashMap<>();
        for (NodeId id : members) {
            map.put(id, network.transport(id));
        }
        return map;
    }

    @Test
    void aCutLinkDropsOneDirectionOnly() {
        Transport a = network.transport(A);
        Transport b = network.transport(B);
        List<RaftMessage> atA = new ArrayList<>();
        List<RaftMessage> atB = new ArrayList<>();
        a.start(atA::add);
        b.start(atB::add);
        network.cut(A, B);
        a.send(new Heartbeat(A, B, 1, 0, 0));
        b.send(new Heartbeat(B, A, 1, 0, 0));
        assertThat(atB).isEmpty();
        assertThat(atA).hasSize(1);
        assertThat(network.droppedCount()).isEqualTo(1);
        network.heal();
        a.send(new Heartbeat(A, B, 1, 0, 0));
        assertThat(atB).hasSize(1);
    }
}
