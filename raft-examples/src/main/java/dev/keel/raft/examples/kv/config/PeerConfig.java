package dev.keel.raft.examples.kv.config;

import dev.keel.raft.NodeId;

/**
 * Another member of the cluster: where its Raft transport and its client port are.
 *
 * @param id     its node id
 * @param raft   its Raft transport address
 * @param client its client (RESP) address, shown by {@code RAFT.MEMBERS}
 */
public record PeerConfig(NodeId id, HostPort raft, HostPort client) {
}
